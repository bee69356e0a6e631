"""Rebuild the regional CSV files of this folder from the two raw workbooks in raw/.

Run from the repository root:  .venv/bin/python tables/regional/extract.py

Reads raw/VRP_OKVED2_s2016.xlsx (Rosstat, structure of GVA by OKVED2 section, % of the
subject's total, one sheet per year) and raw/VRP.xlsx (GRP in million roubles, compiled by the
repository owner from Rosstat data) as data only, checks which yearly sheets are copies of
others, and writes regions.csv, gva_structure.csv, grp.csv.  The model never runs this script;
it reads the CSV files.  See PROVENANCE.md.
"""

from __future__ import annotations

import csv
import itertools
from pathlib import Path

import openpyxl

HERE = Path(__file__).resolve().parent
STRUCTURE = HERE / "raw" / "VRP_OKVED2_s2016.xlsx"
GRP = HERE / "raw" / "VRP.xlsx"
SECTIONS = list("ABCDEFGHIJKLMNOPQRST")
YEARS = [str(y) for y in range(2016, 2023)]  # sheets 2023 and 2024 are copies of 2022

# Column A ("name", added by the repository owner; equal to the names in VRP.xlsx) → id, English
# name.  Arkhangelsk oblast and Tyumen oblast are taken WITHOUT their autonomous okrugs, which
# are subjects of their own, so that the 85 ids partition the Russian Federation.
REGIONS = {
    "Белгородская область": ("belgorod", "Belgorod oblast"),
    "Брянская область": ("bryansk", "Bryansk oblast"),
    "Владимирская область": ("vladimir", "Vladimir oblast"),
    "Воронежская область": ("voronezh", "Voronezh oblast"),
    "Ивановская область": ("ivanovo", "Ivanovo oblast"),
    "Калужская область": ("kaluga", "Kaluga oblast"),
    "Костромская область": ("kostroma", "Kostroma oblast"),
    "Курская область": ("kursk", "Kursk oblast"),
    "Липецкая область": ("lipetsk", "Lipetsk oblast"),
    "Московская область": ("moscow_oblast", "Moscow oblast"),
    "Орловская область": ("oryol", "Oryol oblast"),
    "Рязанская область": ("ryazan", "Ryazan oblast"),
    "Смоленская область": ("smolensk", "Smolensk oblast"),
    "Тамбовская область": ("tambov", "Tambov oblast"),
    "Тверская область": ("tver", "Tver oblast"),
    "Тульская область": ("tula", "Tula oblast"),
    "Ярославская область": ("yaroslavl", "Yaroslavl oblast"),
    "Город Москва столица Российской Федерации город федерального значения": (
        "moscow",
        "City of Moscow",
    ),
    "Республика Карелия": ("karelia", "Republic of Karelia"),
    "Республика Коми": ("komi", "Komi Republic"),
    "Ненецкий автономный округ (Архангельская область)": ("nenets", "Nenets autonomous okrug"),
    "Архангельская область (кроме Ненецкого автономного округа)": (
        "arkhangelsk",
        "Arkhangelsk oblast (without the Nenets AO)",
    ),
    "Вологодская область": ("vologda", "Vologda oblast"),
    "Калининградская область": ("kaliningrad", "Kaliningrad oblast"),
    "Ленинградская область": ("leningrad", "Leningrad oblast"),
    "Мурманская область": ("murmansk", "Murmansk oblast"),
    "Новгородская область": ("novgorod", "Novgorod oblast"),
    "Псковская область": ("pskov", "Pskov oblast"),
    "Город Санкт-Петербург город федерального значения": ("st_petersburg", "City of St Petersburg"),
    "Республика Адыгея (Адыгея)": ("adygea", "Republic of Adygea"),
    "Республика Калмыкия": ("kalmykia", "Republic of Kalmykia"),
    "Республика Крым": ("crimea", "Republic of Crimea"),
    "Краснодарский край": ("krasnodar", "Krasnodar krai"),
    "Астраханская область": ("astrakhan", "Astrakhan oblast"),
    "Волгоградская область": ("volgograd", "Volgograd oblast"),
    "Ростовская область": ("rostov", "Rostov oblast"),
    "Город федерального значения Севастополь": ("sevastopol", "City of Sevastopol"),
    "Республика Дагестан": ("dagestan", "Republic of Dagestan"),
    "Республика Ингушетия": ("ingushetia", "Republic of Ingushetia"),
    "Кабардино-Балкарская Республика": ("kabardino_balkaria", "Kabardino-Balkarian Republic"),
    "Карачаево-Черкесская Республика": ("karachay_cherkessia", "Karachay-Cherkess Republic"),
    "Республика Северная Осетия-Алания": ("north_ossetia", "Republic of North Ossetia-Alania"),
    "Чеченская Республика": ("chechnya", "Chechen Republic"),
    "Ставропольский край": ("stavropol", "Stavropol krai"),
    "Республика Башкортостан": ("bashkortostan", "Republic of Bashkortostan"),
    "Республика Марий Эл": ("mari_el", "Mari El Republic"),
    "Республика Мордовия": ("mordovia", "Republic of Mordovia"),
    "Республика Татарстан (Татарстан)": ("tatarstan", "Republic of Tatarstan"),
    "Удмуртская Республика": ("udmurtia", "Udmurt Republic"),
    "Чувашская Республика - Чувашия": ("chuvashia", "Chuvash Republic"),
    "Пермский край": ("perm", "Perm krai"),
    "Кировская область": ("kirov", "Kirov oblast"),
    "Нижегородская область": ("nizhny_novgorod", "Nizhny Novgorod oblast"),
    "Оренбургская область": ("orenburg", "Orenburg oblast"),
    "Пензенская область": ("penza", "Penza oblast"),
    "Самарская область": ("samara", "Samara oblast"),
    "Саратовская область": ("saratov", "Saratov oblast"),
    "Ульяновская область": ("ulyanovsk", "Ulyanovsk oblast"),
    "Курганская область": ("kurgan", "Kurgan oblast"),
    "Свердловская область": ("sverdlovsk", "Sverdlovsk oblast"),
    "Ханты-Мансийский автономный округ - Югра (Тюменская область)": (
        "khanty_mansi",
        "Khanty-Mansi autonomous okrug – Yugra",
    ),
    "Ямало-Ненецкий автономный округ (Тюменская область)": (
        "yamalo_nenets",
        "Yamalo-Nenets autonomous okrug",
    ),
    "Тюменская область (кроме Ханты-Мансийского автономного округа-Югры и Ямало-Ненецкого "
    "автономного округа)": ("tyumen", "Tyumen oblast (without the Khanty-Mansi and Yamalo-Nenets AOs)"),
    "Челябинская область": ("chelyabinsk", "Chelyabinsk oblast"),
    "Республика Алтай": ("altai_republic", "Altai Republic"),
    "Республика Тыва": ("tuva", "Tuva Republic"),
    "Республика Хакасия": ("khakassia", "Republic of Khakassia"),
    "Алтайский край": ("altai_krai", "Altai krai"),
    "Красноярский край": ("krasnoyarsk", "Krasnoyarsk krai"),
    "Иркутская область": ("irkutsk", "Irkutsk oblast"),
    "Кемеровская область - Кузбасс": ("kemerovo", "Kemerovo oblast – Kuzbass"),
    "Новосибирская область": ("novosibirsk", "Novosibirsk oblast"),
    "Омская область": ("omsk", "Omsk oblast"),
    "Томская область": ("tomsk", "Tomsk oblast"),
    "Республика Бурятия": ("buryatia", "Republic of Buryatia"),
    "Республика Саха (Якутия)": ("yakutia", "Republic of Sakha (Yakutia)"),
    "Забайкальский край": ("zabaykalsky", "Zabaykalsky krai"),
    "Камчатский край": ("kamchatka", "Kamchatka krai"),
    "Приморский край": ("primorsky", "Primorsky krai"),
    "Хабаровский край": ("khabarovsk", "Khabarovsk krai"),
    "Амурская область": ("amur", "Amur oblast"),
    "Магаданская область": ("magadan", "Magadan oblast"),
    "Сахалинская область": ("sakhalin", "Sakhalin oblast"),
    "Еврейская автономная область": ("jewish_ao", "Jewish autonomous oblast"),
    "Чукотский автономный округ": ("chukotka", "Chukotka autonomous okrug"),
}
# Totals that contain autonomous okrugs listed separately: read, never written as regions.
CONTAINERS = {"Архангельская область", "Тюменская область"}
RUSSIA = "Российская Федерация"
DISTRICTS_EN = {
    "Центральный федеральный округ": "Central",
    "Северо-Западный федеральный округ": "North-Western",
    "Южный федеральный округ": "Southern",
    "Северо-Кавказский федеральный округ": "North Caucasian",
    "Приволжский федеральный округ": "Volga",
    "Уральский федеральный округ": "Urals",
    "Сибирский федеральный округ": "Siberian",
    "Дальневосточный федеральный округ": "Far Eastern",
}


def structure_sheet(ws) -> tuple[str, dict[str, tuple[str, str, list[float]]]]:
    """Title and rows {column-A name: (column-B label, federal district, 20 section percents)}."""
    rows = list(ws.iter_rows(values_only=True))
    title = " ".join(str(rows[1][1]).split())
    header = [str(c).strip() for c in rows[3][3:23]]
    assert header[0] == "Раздел A" and len(header) == 20, header
    out: dict[str, tuple[str, str, list[float]]] = {}
    district = ""
    for row in rows[5:]:
        name, label = row[0], row[1]
        if label is None or row[2] is None:
            continue
        label = " ".join(str(label).split())
        if name == "#N/A":
            district = label
            continue
        values = [float(v) if v is not None else float("nan") for v in row[3:23]]
        out[str(name)] = (label, district, values)
    return title, out


def main() -> None:
    wb = openpyxl.load_workbook(STRUCTURE, data_only=True, read_only=True)
    # Sheets 2009-2015 are in OKVED 2007 sections (A-P) and are not used.
    sheets = {ws.title: structure_sheet(ws) for ws in wb if int(ws.title) >= 2016}
    report = []
    for a, b in itertools.combinations(sorted(sheets), 2):
        if sheets[a][1] == sheets[b][1]:
            report.append(f"sheet {b} has exactly the values of sheet {a}")
    for name in ("2023", "2024"):
        report.append(f"title of sheet {name}: {sheets[name][0][:110]}")
    print("\n".join(report))

    grp_wb = openpyxl.load_workbook(GRP, data_only=True, read_only=True)
    grp_rows = list(grp_wb["Total"].iter_rows(values_only=True))
    grp_years = [str(y) for y in grp_rows[0][1:]]
    grp = {str(r[0]): dict(zip(grp_years, r[1:])) for r in grp_rows[1:] if r[0] not in (None,)}

    _, latest = sheets["2021"]
    with open(HERE / "regions.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["id", "name_ru", "name_en", "rosstat_label", "federal_district_2021"])
        for name, (rid, name_en) in REGIONS.items():
            label, district, _ = latest[name]
            w.writerow([rid, name, name_en, label, DISTRICTS_EN[district]])

    with open(HERE / "gva_structure.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["region", "year", *SECTIONS])
        for year in YEARS:
            rows = sheets[year][1]
            for name, (rid, _) in [(RUSSIA, ("russia", "")), *REGIONS.items()]:
                w.writerow([rid, year, *(f"{v:g}" for v in _rounded(rows[name][2]))])

    with open(HERE / "grp.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["region", "year", "grp_mn_rub"])
        for year in YEARS:
            for name, (rid, _) in REGIONS.items():
                w.writerow([rid, year, f"{float(grp[name][year]):.1f}"])
            parts = [grp[n][year] for n in REGIONS]
            print(year, "sum of 85 subjects, mn RUB:", round(sum(parts), 1))
        for container, okrugs in (
            ("Архангельская область", ["Ненецкий автономный округ (Архангельская область)"]),
            (
                "Тюменская область",
                [
                    "Ханты-Мансийский автономный округ - Югра (Тюменская область)",
                    "Ямало-Ненецкий автономный округ (Тюменская область)",
                ],
            ),
        ):
            proper = next(n for n in REGIONS if n.startswith(container + " (кроме"))
            for year in YEARS:
                gap = grp[container][year] - grp[proper][year] - sum(grp[o][year] for o in okrugs)
                assert abs(gap) < 1.0, (container, year, gap)


def _rounded(values: list[float]) -> list[float]:
    # The workbook stores one-decimal percents with binary noise (e.g. 43.699999999999996).
    return [round(v, 3) for v in values]


if __name__ == "__main__":
    main()
