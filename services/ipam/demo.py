"""An Giang-like demo data, loaded once at start-up when ``GOVNET_LOAD_DEMO_DATA`` is true."""

from __future__ import annotations

import logging

from fastapi import FastAPI
from sqlmodel import Session

from services.ipam.access import system_principal
from services.ipam.addressing.addresses import create_address
from services.ipam.addressing.allocation import allocate_next_prefix, assign_next_addresses
from services.ipam.addressing.models import AddressRole, PrefixKind
from services.ipam.addressing.prefixes import create_prefix
from services.ipam.addressing.ranges import create_range
from services.ipam.addressing.schemas import (
    AddressCreate,
    AddressRequest,
    PrefixCreate,
    PrefixRequest,
    RangeCreate,
    VrfCreate,
)
from services.ipam.addressing.vrfs import create_vrf
from services.ipam.models import DemoMarker
from services.ipam.organisation.models import AccessLevel, Agency, AgencyLevel, ServiceCategory
from services.ipam.organisation.schemas import AgencyCreate, Contact, ServiceCreate, SubscriptionCreate
from services.ipam.organisation.service import create_agency, create_service, create_subscription
from shared.db import Database

log = logging.getLogger("govnet.ipam.demo")
MARKER = "an-giang-v1"

DISTRICTS = [
    ("LX", "UBND thành phố Long Xuyên"), ("CD", "UBND thành phố Châu Đốc"), ("TC", "UBND thị xã Tân Châu"),
    ("AP", "UBND huyện An Phú"), ("CP", "UBND huyện Châu Phú"), ("CT", "UBND huyện Châu Thành"),
    ("CM", "UBND huyện Chợ Mới"), ("PT", "UBND huyện Phú Tân"), ("TS", "UBND huyện Thoại Sơn"),
    ("TB", "UBND thị xã Tịnh Biên"), ("TT", "UBND huyện Tri Tôn"),
]
COMMUNES = [
    ("LX", "LX-MB", "UBND phường Mỹ Bình"), ("CD", "CD-CPA", "UBND phường Châu Phú A"),
    ("AP", "AP-VT", "UBND xã Vĩnh Trường"), ("TS", "TS-NS", "UBND thị trấn Núi Sập"), ("TT", "TT-BA", "UBND thị trấn Ba Chúc"),
]
LEVEL_I = [
    ("TU", "Văn phòng Tỉnh ủy An Giang"), ("DBQH-HDND", "Văn phòng Đoàn ĐBQH và HĐND tỉnh An Giang"),
    ("VP-UBND", "Văn phòng UBND tỉnh An Giang"), ("SO-KHCN", "Sở Khoa học và Công nghệ tỉnh An Giang"),
]
NETWORK_SERVICES = [
    ("VPN", "Mạng riêng ảo (VPN)"), ("HNTH", "Hội nghị truyền hình"), ("INTERNET-CD", "Internet chuyên dùng"),
]
APPLICATIONS = [
    ("QLVB", "Hệ thống quản lý văn bản và điều hành"), ("MAIL", "Thư điện tử công vụ"),
    ("TTHC", "Hệ thống thông tin giải quyết thủ tục hành chính"), ("HSCB", "Quản lý hồ sơ cán bộ"),
    ("LGSP", "Nền tảng tích hợp, chia sẻ dữ liệu (LGSP)"), ("HNTH-3C", "Hội nghị truyền hình tỉnh - huyện - xã"),
    ("CSDL", "Cơ sở dữ liệu chuyên ngành"),
]


def load_demo(*, session: Session) -> bool:
    """Create the demo agencies, catalogue, pools and allocations; False if already loaded."""
    if session.get(DemoMarker, MARKER) is not None:
        return False
    me = system_principal("system:demo")
    ops = Contact(role="operation", name="Trung tâm Công nghệ thông tin và Truyền thông", title="Đầu mối vận hành", phone="0296 3957 000", email="ttcntt@angiang.gov.vn")
    inc = Contact(role="incident", name="Tổ ứng cứu sự cố", title="Đầu mối sự cố", phone="0296 3957 111", email="ucsc@angiang.gov.vn")
    province = create_agency(session=session, principal=me, data=AgencyCreate(
        code="AG", name="Tỉnh An Giang", level=AgencyLevel.province, access_level=AccessLevel.II, address="Long Xuyên, An Giang", contacts=[ops, inc]))
    agencies: dict[str, Agency] = {}
    for code, name in LEVEL_I:
        agencies[code] = create_agency(session=session, principal=me, data=AgencyCreate(
            code=f"AG-{code}", name=name, level=AgencyLevel.province, access_level=AccessLevel.I, address="Long Xuyên, An Giang"))
    for code, name in DISTRICTS:
        agencies[code] = create_agency(session=session, principal=me, data=AgencyCreate(
            code=f"AG-{code}", name=name, level=AgencyLevel.district, parent_id=province.id, address=name.split(" ", 2)[-1] + ", An Giang"))
    for parent, code, name in COMMUNES:
        agencies[code] = create_agency(session=session, principal=me, data=AgencyCreate(
            code=f"AG-{code}", name=name, level=AgencyLevel.commune, parent_id=agencies[parent].id))
    catalogue = {}
    for code, name in NETWORK_SERVICES:
        catalogue[code] = create_service(session=session, principal=me, category=ServiceCategory.network, data=ServiceCreate(code=code, name=name))
    for code, name in APPLICATIONS:
        catalogue[code] = create_service(session=session, principal=me, category=ServiceCategory.application, data=ServiceCreate(code=code, name=name))
    create_vrf(session=session, principal=me, data=VrfCreate(name="VPN-AG", rd="65000:1", service_id=catalogue["VPN"].id, description="VPN tỉnh An Giang"))
    top = create_prefix(session=session, principal=me, data=PrefixCreate(prefix="10.156.0.0/16", kind=PrefixKind.container, description="Khối địa chỉ mạng TSLCD tỉnh An Giang"))
    vpn_pool = create_prefix(session=session, principal=me, data=PrefixCreate(prefix="10.156.0.0/18", kind=PrefixKind.pool, parent_id=top.id, description="Pool VPN"))
    hnth_pool = create_prefix(session=session, principal=me, data=PrefixCreate(prefix="10.156.64.0/20", kind=PrefixKind.pool, parent_id=top.id, description="Pool hội nghị truyền hình"))
    v6 = create_prefix(session=session, principal=me, data=PrefixCreate(prefix="2001:db8:a6::/48", kind=PrefixKind.pool, description="Pool IPv6 tỉnh An Giang"))
    for code, _ in DISTRICTS:
        agency_id = agencies[code].id
        p = allocate_next_prefix(session=session, principal=me, parent=vpn_pool, data=PrefixRequest(
            prefix_length=24, service_id=catalogue["VPN"].id, agency_id=agency_id, purpose="Kết nối mạng TSLCD cấp II"))
        allocate_next_prefix(session=session, principal=me, parent=hnth_pool, data=PrefixRequest(
            prefix_length=28, service_id=catalogue["HNTH"].id, purpose="Hội nghị truyền hình", agency_id=agency_id))
        allocate_next_prefix(session=session, principal=me, parent=v6, data=PrefixRequest(
            prefix_length=64, service_id=catalogue["VPN"].id, agency_id=agency_id, purpose="Kết nối mạng TSLCD cấp II"))
        assign_next_addresses(session=session, principal=me, parent=p, data=AddressRequest(count=3, dns_name=f"gw.{code.lower()}.angiang.gov.vn"))
        base = p.prefix.rsplit(".", 1)[0]
        # a DHCP pool (populated: never offered as free) and the VRRP gateway the two routers share
        create_range(session=session, principal=me, data=RangeCreate(
            start_address=f"{base}.100", end_address=f"{base}.199", mark_populated=True, description="DHCP"))
        for router in ("r1", "r2"):
            create_address(session=session, principal=me, data=AddressCreate(
                address=f"{base}.254/24", role=AddressRole.vrrp, assigned_object_type="device", assigned_object_id=f"{code.lower()}-{router}",
                dns_name=f"vrrp.{code.lower()}.angiang.gov.vn"))
        create_subscription(session=session, principal=me, data=SubscriptionCreate(
            agency_id=agency_id or 0, service_id=catalogue["VPN"].id or 0, channels=1, bandwidth_mbps=20, connection_site=agencies[code].name))
    for code, _ in LEVEL_I:
        allocate_next_prefix(session=session, principal=me, parent=vpn_pool, data=PrefixRequest(
            prefix_length=26, service_id=catalogue["VPN"].id, agency_id=agencies[code].id, purpose="Kết nối mạng truy nhập cấp I"))
    session.add(DemoMarker(name=MARKER))
    session.flush()
    return True


def demo_hook(app: FastAPI) -> None:
    """Start-up hook: load the demo data once if the settings ask for it."""
    if not app.state.settings.load_demo_data:
        return
    database: Database = app.state.database
    with database.transaction() as session:
        if load_demo(session=session):
            log.info("ipam demo data loaded")
