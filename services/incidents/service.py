"""Domain logic of the incidents service.

Plain keyword-only functions (``*, session, principal, ...``), typed, with a one-line docstring;
they flush but never commit or roll back (the request dependency or the consumer loop owns the
transaction) and raise the errors of :mod:`shared.errors`, never ``HTTPException``. A service
that outgrows one file per role splits into domain subpackages with this same anatomy.
"""

from __future__ import annotations
