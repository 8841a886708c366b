#!/usr/bin/env python3
"""Writes a large aktsom site for benchmarks: N members x Y years of reports.

Deterministic from --seed: the same arguments always give byte-identical files.

Each report follows the repository's reporting template (every question, in order,
`##` parts, `###` groups, `####` questions), has Norwegian-like prose, the tables of
2.A.2, 2.A.3 and 4.A.3, and key figures. A member's years are derived from each other
the way real reports are: most paragraphs unchanged, some edited, a few rewritten or
dropped, new ones added, table rows changed, a question dropped now and then, figures
drifting and sometimes not reported. So comparisons see realistic diffs.

    python3 bench/corpus.py --members 200 --years 10 --out /tmp/corpus

The bench size is 200 members x 10 years = 2,000 reports of about 50 KB each.
"""

import argparse
import os
import random
import shutil
import sys

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# Words for the prose, grouped so that sentences read roughly like the domain.
SUBJECTS = [
    "Virksomheten", "Innkjøpsavdelingen", "Ledelsen", "Styret", "Avtaleforvalteren",
    "Rådgiveren for bærekraft", "Arbeidsgruppen", "Leverandøren", "Kommunen", "Foretaket",
    "Innkjøpssjefen", "Kontraktsansvarlig", "Fagnettverket", "Revisjonsteamet",
]
VERBS = [
    "har gjennomført", "har styrket", "følger opp", "har kartlagt", "vurderer", "har innført",
    "har revidert", "prioriterer", "dokumenterer", "har utvidet", "samarbeider om", "har evaluert",
    "rapporterer på", "har videreutviklet", "kontrollerer", "etterspør",
]
OBJECTS = [
    "risikovurderingen av leverandørkjeden", "kravene til arbeidsforhold", "egenrapporteringen fra leverandørene",
    "opplæringen av innkjøpere", "rutinene for kontraktsoppfølging", "dialogen med fabrikkene",
    "tiltakene mot tvangsarbeid", "kontrollen av lønns- og arbeidsvilkår", "sporbarheten i råvarekjeden",
    "klagemekanismene for arbeidere", "retningslinjene for ansvarlig næringsliv", "samarbeidet med fagforeninger",
    "oppfølgingen av avvik", "kravene til miljø og klima", "dyrevelferden i produksjonen",
    "arbeidet mot korrupsjon", "tredjepartsrevisjonene", "handlingsplanen for menneskerettigheter",
]
COMPLEMENTS = [
    "i tråd med OECDs retningslinjer", "for alle avtaler med høy risiko", "sammen med andre innkjøpere",
    "gjennom hele avtaleperioden", "i produksjonsland med høy risiko", "etter en gjennomgang av fjorårets funn",
    "med vekt på de mest alvorlige risikoene", "i samråd med leverandørene", "på tvers av kategoriene",
    "for både varer og tjenester", "innenfor de rammene loven gir", "med støtte fra ledelsen",
]
CONNECTORS = ["I tillegg", "Samtidig", "Videre", "Derfor", "I løpet av året", "Som et resultat", "Likevel", "Fremover"]
PRODUCTS = [
    "arbeidsklær", "medisinske hansker", "IT-utstyr", "kaffe", "bananer", "møbler", "byggevarer",
    "renholdstjenester", "solcellepaneler", "tekstiler", "sjømat", "kakao", "elektronikk", "leker",
]
COUNTRIES = ["Malaysia", "Kina", "Bangladesh", "Pakistan", "India", "Vietnam", "Tyrkia", "Brasil", "Thailand", "Norge"]
THEMES = ["Tvangsarbeid", "Lønn", "Arbeidstid", "Helse og sikkerhet", "Barnearbeid", "Organisasjonsfrihet", "Miljø", "Diskriminering"]
DEVIATIONS = ["Overtid over grensen", "Manglende verneutstyr", "Rekrutteringsgebyrer", "Lønn under minstelønn", "Inndratte pass", "Manglende kontrakter"]
STATUSES = ["Pågår", "Lukket", "Delvis lukket", "Fulgt opp"]

FIGURES = ["employees", "purchase_value_nok", "agreements", "agreements_followed_up", "suppliers_followed_up"]


def sentence(rng):
    s = f"{rng.choice(SUBJECTS)} {rng.choice(VERBS)} {rng.choice(OBJECTS)} {rng.choice(COMPLEMENTS)}"
    if rng.random() < 0.4:
        s = f"{rng.choice(CONNECTORS)} {s[0].lower()}{s[1:]}"
    if rng.random() < 0.3:
        s += f", særlig for {rng.choice(PRODUCTS)} fra {rng.choice(COUNTRIES)}"
    if rng.random() < 0.2:
        s += f", og {rng.randint(2, 95)} prosent av avtalene var omfattet"
    return s + "."


def paragraph(rng, sentences=None):
    n = sentences or rng.randint(4, 8)
    return " ".join(sentence(rng) for _ in range(n))


def edit_paragraph(rng, text):
    """A light edit: a few sentences replaced, one added or removed."""
    parts = text.split(". ")
    for _ in range(rng.randint(1, 2)):
        i = rng.randrange(len(parts))
        parts[i] = sentence(rng).rstrip(".")
    if rng.random() < 0.3 and len(parts) > 2:
        parts.pop(rng.randrange(len(parts)))
    if rng.random() < 0.3:
        parts.insert(rng.randrange(len(parts) + 1), sentence(rng).rstrip("."))
    out = ". ".join(p.rstrip(".") for p in parts)
    return out if out.endswith(".") else out + "."


def load_template():
    """The questions of the repository's current template, in order."""
    try:
        import tomllib
    except ImportError:  # Python < 3.11
        sys.exit("Python 3.11 or newer is needed (tomllib)")
    with open(os.path.join(REPO, "report-templates", "2024.toml"), "rb") as f:
        return [(q["number"], q["nb"]) for q in tomllib.load(f)["question"]]


def table(header, rows):
    lines = ["| " + " | ".join(header) + " |", "| " + " | ".join("---" for _ in header) + " |"]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines)


def new_table_rows(rng, number, n):
    if number == "2.A.2":
        return [[rng.choice(PRODUCTS).capitalize(), str(rng.randint(1, 12)), rng.choice(["Ja", "Nei"]), rng.choice(["Ja", "Nei"]), "Ja"] for _ in range(n)]
    if number == "2.A.3":
        return [[f"Risiko for {rng.choice(THEMES).lower()} i produksjon av {rng.choice(PRODUCTS)}", rng.choice(THEMES), rng.choice(COUNTRIES)] for _ in range(n)]
    return [[rng.choice(DEVIATIONS), f"Fabrikk i {rng.choice(COUNTRIES)}", "Korrigerende tiltak avtalt", rng.choice(STATUSES)] for _ in range(n)]


HEADERS = {
    "2.A.2": ["Type anskaffelse", "Antall leverandører", "Kvalifikasjonskrav", "Tildelingskriterium", "Kontraktsvilkår"],
    "2.A.3": ["Prioritert risiko", "Relatert tema", "Geografi"],
    "4.A.3": ["Type avvik", "Ledd i leverandørkjeden", "Tiltak", "Status"],
}


def first_year(rng, questions):
    """The answers of a member's first report: question number -> {paras, rows}."""
    answers = {}
    for number, _ in questions:
        depth = number.count(".") + 1
        if depth < 3:
            answers[number] = {"paras": [paragraph(rng, 2)] if rng.random() < 0.3 else [], "rows": None}
            continue
        weight = 4 if number == "3.A.1" else 1
        paras = [paragraph(rng) for _ in range(rng.randint(weight, weight + 2))]
        rows = new_table_rows(rng, number, rng.randint(3, 6)) if number in HEADERS else None
        answers[number] = {"paras": paras, "rows": rows}
    return answers


def next_year(rng, answers):
    """The next year's answers, derived from this year's by realistic edits."""
    out = {}
    for number, a in answers.items():
        if a is None:
            # A dropped question comes back now and then.
            out[number] = {"paras": [paragraph(rng)], "rows": None} if rng.random() < 0.5 else None
            continue
        if number.count(".") == 2 and rng.random() < 0.02:
            out[number] = None
            continue
        paras = []
        for p in a["paras"]:
            r = rng.random()
            if r < 0.78:
                paras.append(p)
            elif r < 0.92:
                paras.append(edit_paragraph(rng, p))
            elif r < 0.95:
                paras.append(paragraph(rng))
            # else: dropped
        if rng.random() < 0.1:
            paras.insert(rng.randrange(len(paras) + 1), paragraph(rng))
        if not paras and number.count(".") == 2:
            paras = [paragraph(rng)]
        rows = None
        if a["rows"] is not None:
            rows = [list(r) for r in a["rows"]]
            if rng.random() < 0.4 and rows:
                i = rng.randrange(len(rows))
                rows[i] = new_table_rows(rng, number, 1)[0]
            if rng.random() < 0.3:
                rows.append(new_table_rows(rng, number, 1)[0])
            if rng.random() < 0.2 and len(rows) > 2:
                rows.pop(rng.randrange(len(rows)))
        out[number] = {"paras": paras, "rows": rows}
    return out


def render(questions, answers, year, figures, title_suffix):
    fm = [
        "+++",
        f"year = {year}",
        f'title = "Rapport om aktsomhetsvurderinger {year}{title_suffix}"',
        f"published = {year + 1}-03-{(year % 27) + 1:02d}",
        # Every year is written on the current template.
        'template = "2024"',
        "",
        "[figures]",
    ]
    for k in FIGURES:
        if figures.get(k) is not None:
            fm.append(f"{k} = {figures[k]}")
    fm.append("+++")
    body = []
    for number, title in questions:
        a = answers.get(number)
        if a is None:
            continue
        hashes = "#" * (number.count(".") + 2)
        body.append(f"{hashes} {number} {title}")
        body.append("")
        for p in a["paras"]:
            body.append(p)
            body.append("")
        if a["rows"] is not None:
            body.append(f"Tabell: {title} {year}")
            body.append("")
            body.append(table(HEADERS[number], a["rows"]))
            body.append("")
    return "\n".join(fm) + "\n\n" + "\n".join(body)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--members", type=int, default=200)
    ap.add_argument("--years", type=int, default=10)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--first-year", type=int, default=2015)
    ap.add_argument("--out", required=True, help="the site folder to write (replaced if it exists)")
    args = ap.parse_args()

    out = args.out
    if os.path.exists(out):
        if not os.path.exists(os.path.join(out, ".aktsom-corpus")):
            sys.exit(f"{out} exists and is not a corpus folder; refusing to replace it")
        shutil.rmtree(out)
    os.makedirs(os.path.join(out, "content", "members"))
    open(os.path.join(out, ".aktsom-corpus"), "w").close()
    shutil.copy(os.path.join(REPO, "site.toml"), os.path.join(out, "site.toml"))
    shutil.copytree(os.path.join(REPO, "report-templates"), os.path.join(out, "report-templates"))
    for page in ("index.md", "om.md", "tilgjengelighet.md"):
        shutil.copy(os.path.join(REPO, "content", page), os.path.join(out, "content", page))

    questions = load_template()
    total = 0
    for m in range(args.members):
        rng = random.Random(f"{args.seed}-{m}")
        slug = f"medlem-{m + 1:04d}"
        public = m % 3 != 2
        folder = os.path.join(out, "content", "members", slug)
        os.makedirs(folder)
        kind = "kommune" if public else "AS"
        with open(os.path.join(folder, "member.toml"), "w", encoding="utf-8") as f:
            f.write(f'name = "Medlem {m + 1:04d} {kind}"\n')
            f.write(f'sector = "{"public" if public else "private"}"\n')
            f.write(f'industry = "{"Kommune" if public else rng.choice(["Tekstil", "Dagligvare", "IKT", "Bygg"])}"\n')
            f.write(f'website = "https://{slug}.example.no/"\n')
            f.write(f"member_since = {args.first_year - rng.randint(0, 8)}\n")
        answers = first_year(rng, questions)
        figures = {
            "employees": rng.randint(50, 20000),
            "purchase_value_nok": rng.randint(20, 5000) * 1_000_000,
            "agreements": rng.randint(20, 900),
        }
        figures["agreements_followed_up"] = rng.randint(0, figures["agreements"])
        figures["suppliers_followed_up"] = rng.randint(0, 120)
        for y in range(args.years):
            year = args.first_year + y
            if y > 0:
                answers = next_year(rng, answers)
                for k, v in list(figures.items()):
                    base = v if v is not None else rng.randint(10, 1000)
                    figures[k] = None if rng.random() < 0.04 else max(0, int(base * rng.uniform(0.93, 1.08)))
            text = render(questions, answers, year, figures, "")
            with open(os.path.join(folder, f"{year}.md"), "w", encoding="utf-8") as f:
                f.write(text)
            total += len(text.encode("utf-8"))
    n = args.members * args.years
    print(f"Wrote {n} reports ({total / 1e6:.1f} MB of Markdown, {total / max(n, 1) / 1000:.1f} KB each) to {out}")


if __name__ == "__main__":
    main()
