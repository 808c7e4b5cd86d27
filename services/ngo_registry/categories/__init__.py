"""The category lists (danh mục, G5): stable codes with Vietnamese labels."""
