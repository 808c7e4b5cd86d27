"""The category lists (danh mục, G5) as first loaded; Vụ TCPCP edits them later through the API.

Codes are stable identifiers; labels are Vietnamese.
"""

from __future__ import annotations

CATEGORY_KINDS: dict[str, str] = {
    "field": "Lĩnh vực hoạt động",
    "managing_agency": "Bộ, ngành quản lý",
    "nature": "Tính chất",
    "office_origin": "Nguồn gốc trụ sở",
    "name_type": "Loại tên gọi",
    "scope": "Phạm vi hoạt động",
    "funding_source": "Nguồn kinh phí",
    "member_type": "Loại hội viên",
    "leader_role": "Chức danh lãnh đạo",
    "congress_kind": "Loại đại hội",
    "status_change_kind": "Loại thay đổi tổ chức",
    "unit_kind": "Loại đơn vị trực thuộc",
    "document_type": "Loại văn bản",
}

CATEGORIES: dict[str, list[tuple[str, str]]] = {
    "field": [
        ("nhan_dao", "Nhân đạo, từ thiện"),
        ("y_te", "Y tế, chăm sóc sức khỏe"),
        ("giao_duc", "Giáo dục, đào tạo, khuyến học"),
        ("khoa_hoc", "Khoa học, công nghệ"),
        ("van_hoa", "Văn hóa, nghệ thuật"),
        ("the_thao", "Thể dục, thể thao"),
        ("kinh_te", "Kinh tế, doanh nghiệp"),
        ("nong_nghiep", "Nông nghiệp, nông thôn"),
        ("moi_truong", "Môi trường, tài nguyên"),
        ("phap_luat", "Pháp luật, luật gia"),
        ("nghe_nghiep", "Nghề nghiệp chuyên môn"),
        ("doi_ngoai", "Hữu nghị, đối ngoại"),
        ("cuu_chien_binh", "Cựu chiến binh, cựu thanh niên xung phong"),
        ("bao_tro_xa_hoi", "Bảo trợ xã hội, người khuyết tật"),
        ("van_hoc", "Văn học, báo chí, xuất bản"),
    ],
    "managing_agency": [
        ("bnv", "Bộ Nội vụ"),
        ("byt", "Bộ Y tế"),
        ("bgddt", "Bộ Giáo dục và Đào tạo"),
        ("bkhcn", "Bộ Khoa học và Công nghệ"),
        ("bvhttdl", "Bộ Văn hóa, Thể thao và Du lịch"),
        ("bct", "Bộ Công Thương"),
        ("bnnmt", "Bộ Nông nghiệp và Môi trường"),
        ("btp", "Bộ Tư pháp"),
        ("btc", "Bộ Tài chính"),
        ("bng", "Bộ Ngoại giao"),
        ("bqp", "Bộ Quốc phòng"),
        ("bxd", "Bộ Xây dựng"),
        ("ldlhhvn", "Liên hiệp các Hội Khoa học và Kỹ thuật Việt Nam"),
        ("ubnd_tinh", "Ủy ban nhân dân cấp tỉnh"),
    ],
    "nature": [
        ("chinh_tri_xa_hoi", "Chính trị - xã hội"),
        ("xa_hoi_nghe_nghiep", "Xã hội - nghề nghiệp"),
        ("xa_hoi", "Xã hội"),
        ("kinh_te", "Kinh tế"),
    ],
    "office_origin": [
        ("so_huu", "Thuộc sở hữu của hội"),
        ("nha_nuoc_cap", "Nhà nước giao, cấp"),
        ("thue", "Đi thuê"),
        ("muon", "Đi mượn"),
        ("khac", "Nguồn gốc khác"),
    ],
    "name_type": [
        ("hoi", "Hội"),
        ("lien_hiep_hoi", "Liên hiệp hội"),
        ("tong_hoi", "Tổng hội"),
        ("lien_doan", "Liên đoàn"),
        ("hiep_hoi", "Hiệp hội"),
        ("cau_lac_bo", "Câu lạc bộ có tư cách pháp nhân"),
    ],
    "scope": [
        ("ca_nuoc", "Cả nước"),
        ("lien_tinh", "Liên tỉnh"),
        ("tinh", "Tỉnh"),
        ("huyen", "Huyện"),
        ("xa", "Xã"),
    ],
    "funding_source": [
        ("ngan_sach", "Ngân sách nhà nước hỗ trợ"),
        ("hoi_phi", "Hội phí"),
        ("tai_tro", "Tài trợ, ủng hộ"),
        ("dich_vu", "Thu từ hoạt động dịch vụ"),
        ("khac", "Nguồn khác"),
    ],
    "member_type": [
        ("chinh_thuc", "Hội viên chính thức"),
        ("lien_ket", "Hội viên liên kết"),
        ("danh_du", "Hội viên danh dự"),
    ],
    "leader_role": [
        ("chu_tich", "Chủ tịch"),
        ("pho_chu_tich", "Phó Chủ tịch"),
        ("tong_thu_ky", "Tổng Thư ký"),
        ("uy_vien_thuong_vu", "Ủy viên Ban Thường vụ"),
        ("truong_ban_kiem_tra", "Trưởng Ban Kiểm tra"),
    ],
    "congress_kind": [
        ("thanh_lap", "Đại hội thành lập"),
        ("nhiem_ky", "Đại hội nhiệm kỳ"),
        ("bat_thuong", "Đại hội bất thường"),
    ],
    "status_change_kind": [
        ("doi_ten", "Đổi tên"),
        ("chia", "Chia"),
        ("tach", "Tách"),
        ("sap_nhap", "Sáp nhập"),
        ("hop_nhat", "Hợp nhất"),
        ("tu_giai_the", "Tự giải thể"),
        ("bi_giai_the", "Bị giải thể"),
    ],
    "unit_kind": [
        ("phap_nhan", "Pháp nhân trực thuộc"),
        ("van_phong_dai_dien", "Văn phòng đại diện"),
        ("chi_hoi", "Chi hội"),
    ],
    "document_type": [
        ("nghi_quyet", "Nghị quyết"),
        ("chi_thi", "Chỉ thị"),
        ("ket_luan", "Kết luận"),
        ("luat", "Luật"),
        ("nghi_dinh", "Nghị định"),
        ("quyet_dinh", "Quyết định"),
        ("thong_tu", "Thông tư"),
    ],
}

#: status changes after which the association no longer operates
TERMINAL_CHANGES = frozenset({"chia", "sap_nhap", "hop_nhat", "tu_giai_the", "bi_giai_the"})


def category_rows() -> list[dict[str, object]]:
    """Every category as rows for a bulk insert."""
    rows: list[dict[str, object]] = []
    for kind, items in CATEGORIES.items():
        for position, (code, label) in enumerate(items):
            rows.append({"kind": kind, "code": code, "label_vi": label, "position": position, "active": True})
    return rows
