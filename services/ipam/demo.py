"""An Giang-like demo data, loaded once at start-up when ``GOVNET_LOAD_DEMO_DATA`` is true."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI
from sqlmodel import Session

from services.ipam import service as svc
from services.ipam.models import DemoMarker, ServiceCategory
from services.ipam.schemas import (
    AddressRequest,
    AgencyCreate,
    Contact,
    PrefixCreate,
    PrefixRequest,
    ServiceCreate,
    SubscriptionCreate,
    VrfCreate,
)
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


def load_demo(session: Session) -> bool:
    """Create the demo agencies, catalogue, pools and allocations; False if already loaded."""
    if session.get(DemoMarker, MARKER) is not None:
        return False
    actor = svc.Actor(sub="system:demo")
    ops = Contact(role="operation", name="Trung tâm Công nghệ thông tin và Truyền thông", title="Đầu mối vận hành", phone="0296 3957 000", email="ttcntt@angiang.gov.vn")
    inc = Contact(role="incident", name="Tổ ứng cứu sự cố", title="Đầu mối sự cố", phone="0296 3957 111", email="ucsc@angiang.gov.vn")
    province = svc.create_agency(session, actor=actor, data=AgencyCreate(
        code="AG", name="Tỉnh An Giang", level="province", access_level="II", address="Long Xuyên, An Giang", contacts=[ops, inc]))  # type: ignore[arg-type]
    agencies: dict[str, Any] = {}
    for code, name in LEVEL_I:
        agencies[code] = svc.create_agency(session, actor=actor, data=AgencyCreate(
            code=f"AG-{code}", name=name, level="province", access_level="I", address="Long Xuyên, An Giang"))  # type: ignore[arg-type]
    for code, name in DISTRICTS:
        agencies[code] = svc.create_agency(session, actor=actor, data=AgencyCreate(
            code=f"AG-{code}", name=name, level="district", parent_id=province.id, address=name.split(" ", 2)[-1] + ", An Giang"))  # type: ignore[arg-type]
    for parent, code, name in COMMUNES:
        agencies[code] = svc.create_agency(session, actor=actor, data=AgencyCreate(
            code=f"AG-{code}", name=name, level="commune", parent_id=agencies[parent].id))  # type: ignore[arg-type]
    catalogue = {}
    for code, name in NETWORK_SERVICES:
        catalogue[code] = svc.create_service(session, actor=actor, category=ServiceCategory.network, data=ServiceCreate(code=code, name=name))
    for code, name in APPLICATIONS:
        catalogue[code] = svc.create_service(session, actor=actor, category=ServiceCategory.application, data=ServiceCreate(code=code, name=name))
    svc.create_vrf(session, actor=actor, data=VrfCreate(name="VPN-AG", rd="65000:1", service_id=catalogue["VPN"].id, description="VPN tỉnh An Giang"))
    top = svc.create_prefix(session, actor=actor, data=PrefixCreate(prefix="10.156.0.0/16", kind="container", description="Khối địa chỉ mạng TSLCD tỉnh An Giang"))  # type: ignore[arg-type]
    vpn_pool = svc.create_prefix(session, actor=actor, data=PrefixCreate(prefix="10.156.0.0/18", kind="pool", parent_id=top.id, description="Pool VPN"))  # type: ignore[arg-type]
    hnth_pool = svc.create_prefix(session, actor=actor, data=PrefixCreate(prefix="10.156.64.0/20", kind="pool", parent_id=top.id, description="Pool hội nghị truyền hình"))  # type: ignore[arg-type]
    v6 = svc.create_prefix(session, actor=actor, data=PrefixCreate(prefix="2001:db8:a6::/48", kind="pool", description="Pool IPv6 tỉnh An Giang"))  # type: ignore[arg-type]
    for code, _ in DISTRICTS:
        owner = {"agency_id": agencies[code].id, "purpose": "Kết nối mạng TSLCD cấp II"}
        p = svc.allocate_next_prefix(session, actor=actor, prefix_id=vpn_pool.id or 0, data=PrefixRequest(prefix_length=24, service_id=catalogue["VPN"].id, **owner))
        svc.allocate_next_prefix(session, actor=actor, prefix_id=hnth_pool.id or 0, data=PrefixRequest(prefix_length=28, service_id=catalogue["HNTH"].id, purpose="Hội nghị truyền hình", agency_id=agencies[code].id))
        svc.allocate_next_prefix(session, actor=actor, prefix_id=v6.id or 0, data=PrefixRequest(prefix_length=64, service_id=catalogue["VPN"].id, **owner))
        svc.assign_next_addresses(session, actor=actor, prefix_id=p.id or 0, data=AddressRequest(count=3, dns_name=f"gw.{code.lower()}.angiang.gov.vn"))
        svc.create_subscription(session, actor=actor, data=SubscriptionCreate(agency_id=agencies[code].id, service_id=catalogue["VPN"].id, channels=1, bandwidth_mbps=20, connection_site=agencies[code].name))
    for code, _ in LEVEL_I:
        svc.allocate_next_prefix(session, actor=actor, prefix_id=vpn_pool.id or 0, data=PrefixRequest(prefix_length=26, service_id=catalogue["VPN"].id, agency_id=agencies[code].id, purpose="Kết nối mạng truy nhập cấp I"))
    session.add(DemoMarker(name=MARKER))
    session.flush()
    return True


def demo_hook(app: FastAPI) -> None:
    """Start-up hook: load the demo data once if the settings ask for it."""
    if not app.state.settings.load_demo_data:
        return
    database: Database = app.state.database
    with database.transaction() as session:
        if load_demo(session):
            log.info("ipam demo data loaded")
