"""Generate demo/jinan-grids.geojson: real Jinan district, subdistrict and community names,
each community a block of about 550 m × 550 m cut into a 2 × 2 set of grids around plausible
coordinates. Run from the repository root: python scripts/make_demo_grids.py
"""

import json
from pathlib import Path

# (district code, name) → [(subdistrict code, name, [(community code suffix, name, (lng, lat) of SW corner)])]
TREE = {
    ("370115", "济阳区"): [
        ("001", "济北街道", [("001", "澄波社区", (117.1800, 36.9750)), ("002", "开元社区", (117.1860, 36.9750))]),
        ("002", "济阳街道", [("001", "富阳社区", (117.2150, 36.9800))]),
    ],
    ("370102", "历下区"): [
        ("009", "姚家街道", [("001", "燕翔社区", (117.0750, 36.6600)), ("002", "窑头社区", (117.0810, 36.6600))]),
        ("001", "解放路街道", [("001", "历山路社区", (117.0400, 36.6700))]),
    ],
    ("370103", "市中区"): [
        ("002", "大观园街道", [("001", "经二路社区", (116.9850, 36.6550))]),
        ("011", "六里山街道", [("001", "六里山南路社区", (117.0050, 36.6300))]),
    ],
    ("370113", "长清区"): [
        ("001", "文昌街道", [("001", "长清湖社区", (116.7500, 36.5550))]),
        ("002", "平安街道", [("001", "平安社区", (116.7800, 36.5700))]),
    ],
}
STEP_LNG, STEP_LAT = 0.003, 0.0025  # one grid ≈ 270 m × 280 m at this latitude


def grid_cells(sw):
    lng0, lat0 = sw
    for index, (col, row) in enumerate([(0, 0), (1, 0), (0, 1), (1, 1)], start=1):
        x, y = lng0 + col * STEP_LNG, lat0 + row * STEP_LAT
        ring = [[x, y], [x + STEP_LNG, y], [x + STEP_LNG, y + STEP_LAT], [x, y + STEP_LAT], [x, y]]
        yield index, [[[round(a, 6), round(b, 6)] for a, b in ring]]


def main():
    features = []
    for (dcode, dname), subdistricts in TREE.items():
        for scode, sname, communities in subdistricts:
            for ccode, cname, sw in communities:
                community_code = f"{dcode}{scode}{ccode}"
                for index, coords in grid_cells(sw):
                    features.append(
                        {
                            "type": "Feature",
                            "properties": {
                                "code": f"{community_code}{index:03d}",
                                "name": f"{cname}第{index}网格",
                                "community_code": community_code,
                                "community_name": cname,
                                "subdistrict_code": f"{dcode}{scode}",
                                "subdistrict_name": sname,
                                "district_code": dcode,
                                "district_name": dname,
                                "city_code": "370100",
                                "city_name": "济南市",
                            },
                            "geometry": {"type": "Polygon", "coordinates": coords},
                        }
                    )
    out = Path(__file__).resolve().parent.parent / "demo" / "jinan-grids.geojson"
    out.write_text(json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False, indent=1))
    print(f"wrote {len(features)} grids to {out}")


if __name__ == "__main__":
    main()
