"""Generate demo/staff.csv from demo/jinan-grids.geojson: a clerk and a supervisor per community,
a grid worker per grid (the neighbouring grid's worker as deputy), supervisors for a subdistrict and
the districts, and staff for each demo department. The named demo accounts (supervisor, clerk,
worker) come first. Run from the repository root: python scripts/make_demo_staff.py
"""

import csv
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
GIVEN = "伟,芳,娜,敏,静,丽,强,磊,军,洋,勇,艳,杰,娟,涛,明,超,秀英,霞,平".split(",")  # noqa: SIM905
DEPARTMENTS = ["DEPT-WATER", "DEPT-HEAT", "DEPT-PROPERTY", "DEPT-CHENGGUAN"]


def name(i):
    return SURNAMES[i % len(SURNAMES)] + GIVEN[(i * 7) % len(GIVEN)]


def main():
    features = json.loads((ROOT / "demo" / "jinan-grids.geojson").read_text())["features"]
    grids = [f["properties"] for f in features]
    rows = [
        # The demo logins named in the README.
        ("supervisor", "李建国", "13805310001", "supervisor", "370115", "", "", "", ""),
        ("clerk", "王晓梅", "13805310002", "clerk", "370115001001", "", "", "", ""),
        ("worker", "张伟", "13805310003", "grid_worker", "370115001001001", "", "", "", "1"),
    ]
    seen_communities = {}
    for p in grids:
        seen_communities.setdefault(p["community_code"], []).append(p["code"])
    n = 10
    phone = 13805310100
    for community, codes in seen_communities.items():
        if community != "370115001001":
            rows.append((f"clerk{community}", name(n), str(phone), "clerk", community, "", "", "", ""))
            n, phone = n + 1, phone + 1
        rows.append((f"sup{community}", name(n), str(phone), "supervisor", community, "", "", "", ""))
        n, phone = n + 1, phone + 1
        workers = []
        for code in codes:
            username = "worker" if code == "370115001001001" else f"wg{code}"
            if username != "worker":
                rows.append((username, name(n), str(phone), "grid_worker", code, "", "", "", "1"))
                n, phone = n + 1, phone + 1
            workers.append(username)
        # Each worker deputises for the next grid of the same community.
        for i, code in enumerate(codes):
            deputy = workers[(i + 1) % len(workers)]
            full = next(r for r in rows if r[0] == deputy)
            rows.append((deputy, full[1], full[2], "grid_worker", code, "", "", "yes", "1"))
    rows.append(("sup370115001", name(n), str(phone), "supervisor", "370115001", "", "", "", ""))
    n, phone = n + 1, phone + 1
    for district in sorted({p["district_code"] for p in grids} - {"370115"}):
        rows.append((f"sup{district}", name(n), str(phone), "supervisor", district, "", "", "", ""))
        n, phone = n + 1, phone + 1
    for dept in DEPARTMENTS:
        rows.append((f"staff-{dept.lower()}", name(n), str(phone), "department_staff", "", "", dept, "", ""))
        n, phone = n + 1, phone + 1
    out = ROOT / "demo" / "staff.csv"
    with out.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(
            ["username", "full_name", "phone", "role", "org_code", "email", "department_code", "deputy", "position"]
        )
        writer.writerows(rows)
    print(f"wrote {len(rows)} rows to {out}")


if __name__ == "__main__":
    main()
