#!/usr/bin/env python3
"""A large, deterministic, Norwegian-like corpus of reports for the search benchmark.

    gen_corpus.py OUT_DIR [--members 200] [--years 10] [--seed 1]

Writes an aktsom site to OUT_DIR: site.toml, the repository's report template 2024,
and for each member member.toml and one report per year, with the template's numbered
headings, a preface, a key-facts section and a table of prioritised risks.

The text is deliberately simple: sentences assembled from a few hundred Norwegian
words and phrases of the domain (including the compounds search should split), picked
with a skewed (Zipf-like) distribution so that some words occur in most records and
many are rare. It is shaped like the real reports (length, headings, tables,
recurring wording from year to year), not a model of the language.
"""

import argparse
import os
import random
import re
import shutil

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.normpath(os.path.join(HERE, "..", ".."))

PLACES = """Fjordvik Åsdal Bergstad Nordnes Sørvik Eikeland Lyngdal Tindvik Storøy Havlund
Skogheim Ravnes Kvitfjell Solbakken Elvebakk Morvik Granli Strandå Vestby Austrheim
Brekke Furuvik Hamnes Isdal Jøssund Kjelsås Langøy Melby Nesset Orkvik Prestbø
Rødberg Sandnes Tveit Ulvik Vågen Ytre Øyrane Ådland Bjørkvik""".split()
REGIONS = ["Nordvest", "Sørøst", "Midt", "Vest", "Nord", "Innlandet", "Kyst", "Fjell"]
TRADE = """Tekstil Mat Bygg IT-utstyr Møbler Sjømat Kaffe Elektro Helseteknikk Renhold
Transport Energi Papir Leker Sko Sport Frukt Kontor Verktøy Emballasje""".split()
SUFFIX_PRIVATE = ["AS", "Gruppen AS", "Handel AS", "Norge AS", "Import AS"]
COUNTRIES = """Kina Bangladesh Pakistan India Vietnam Malaysia Thailand Tyrkia Brasil
Indonesia Marokko Spania Italia Polen Litauen Ghana Elfenbenskysten Kenya Etiopia Peru
Colombia Mexico Filippinene Kambodsja Myanmar Sri Lanka Egypt Tunisia Romania Ukraina""".split()
PRODUCTS = """engangshansker arbeidsklær helsetekstiler solcellepaneler datautstyr mobiltelefoner
møbler kaffe kakao bananer sjømat reker palmeolje soya bomull skotøy leker
kirurgiske instrumenter byggevarer stål naturstein matvarer kontorrekvisita
batterier elektronikk emballasje papir trevirke""".split()
RISKS = ["tvangsarbeid", "barnearbeid", "gjeldsarbeid", "lave lønninger", "lang arbeidstid",
         "manglende organisasjonsfrihet", "diskriminering", "farlige arbeidsforhold",
         "korrupsjon", "avskoging", "utslipp", "vannforurensning", "dyrevelferd",
         "landrettigheter", "urfolks rettigheter", "rekrutteringsgebyrer",
         "ufrivillig overtid", "helse og sikkerhet", "menneskerettigheter",
         "arbeidstakerrettigheter", "levelønn", "miljøskader"]

SUBJECTS = ["Vi", "Kommunen", "Virksomheten", "Innkjøpsavdelingen", "Ledelsen", "Styret",
            "Rådgiveren for samfunnsansvar", "Leverandøren", "Fagnettverket", "Kontraktseieren",
            "Avtaleforvalteren", "Innkjøperne", "Prosjektlederne", "Direktøren", "Enheten"]
VERBS = ["har fulgt opp", "har kartlagt", "vurderte", "prioriterte", "stilte krav om",
         "gjennomførte", "dokumenterte", "undersøkte", "rapporterte", "etterspurte",
         "har styrket", "har revidert", "videreførte", "evaluerte", "sammenlignet",
         "har forbedret", "diskuterte", "avdekket", "besøkte", "kontrollerte"]
OBJECTS = ["leverandørene", "leverandørkjeden", "risikoen for {risk}", "arbeidsforholdene",
           "kontraktsvilkårene", "aktsomhetsvurderingene", "tiltaksplanen", "retningslinjene",
           "oppfølgingen av {product}", "sporbarheten i leverandørkjeden", "egenerklæringene",
           "revisjonsrapportene", "avvikene hos {supplier}", "menneskerettighetene",
           "klimaavtrykket", "innkjøpspraksisen", "dialogen med {supplier}", "fabrikkene i {country}",
           "underleverandørene", "rammeavtalene", "samfunnsansvaret", "anskaffelsene med høy risiko",
           "kompetansen hos de ansatte", "klagemekanismen", "gjenopprettingen"]
TAILS = ["i {year}", "sammen med andre innkjøpere", "etter OECDs retningslinjer",
         "i tråd med handlingsplanen", "for {product} fra {country}", "gjennom hele året",
         "ved kontraktsoppfølging", "i samarbeid med Etisk handel Norge", "på stedet",
         "etter innspill fra tillitsvalgte", "med støtte fra en uavhengig revisor",
         "som en del av risikovurderingen", "før kontraktsinngåelse", "i {country}",
         "hos de største leverandørene", "uten vesentlige avvik", "med tydelige frister"]
EXTRA = ["Arbeidet er forankret i ledelsen.", "Resultatene er rapportert til styret.",
         "Vi fant ingen tegn til {risk} hos {supplier}.",
         "Leverandøren har utarbeidet en korrigerende tiltaksplan.",
         "Avviket ble lukket innen fristen.", "Dette følges opp neste år.",
         "Risikoen for {risk} er størst i produksjonen av {product}.",
         "Arbeiderne ble intervjuet uten ledelsen til stede.",
         "Vi har bedt om dokumentasjon på lønnsutbetalinger og arbeidstid.",
         "Fagforeningene deltok i vurderingen.",
         "Klimagassutslippene fra transport ble redusert.",
         "Dyrevelferden i leverandørkjeden for sjømat ble vurdert.",
         "Vi har ikke funnet brudd på menneskerettighetene hos våre direkte leverandører."]
SUPPLIER_PARTS = ["Nord", "Vest", "Global", "Prima", "Nova", "Arktis", "Fjell", "Kyst", "Sol",
                  "Lys", "Stein", "Tre", "Berg", "Ask", "Lin", "Jern", "Salt", "Blå", "Grønn", "Eik"]
SUPPLIER_KIND = ["Tekstil", "Handel", "Trading", "Import", "Industri", "Produksjon", "Logistikk"]


def zipf_choice(rng, items, s=1.1):
    weights = [1.0 / (i + 1) ** s for i in range(len(items))]
    return rng.choices(items, weights)[0]


def fill(rng, template, year, suppliers):
    return template.format(
        risk=zipf_choice(rng, RISKS),
        product=zipf_choice(rng, PRODUCTS),
        country=zipf_choice(rng, COUNTRIES),
        supplier=rng.choice(suppliers),
        year=year,
    )


def sentence(rng, year, suppliers):
    if rng.random() < 0.25:
        return fill(rng, rng.choice(EXTRA), year, suppliers)
    s = "{} {} {} {}.".format(
        zipf_choice(rng, SUBJECTS),
        zipf_choice(rng, VERBS),
        fill(rng, zipf_choice(rng, OBJECTS), year, suppliers),
        fill(rng, zipf_choice(rng, TAILS), year, suppliers),
    )
    return s


def paragraph(rng, year, suppliers, n):
    return " ".join(sentence(rng, year, suppliers) for _ in range(n))


def slugify(name):
    s = name.lower()
    for a, b in [("æ", "ae"), ("ø", "o"), ("å", "a")]:
        s = s.replace(a, b)
    s = re.sub(r"[^a-z0-9]+", "-", s).strip("-")
    return s


def members(rng, count):
    out, seen = [], set()
    i = 0
    while len(out) < count:
        kind = i % 4
        if kind == 0:
            name = f"{PLACES[i % len(PLACES)]} kommune"
            sector, industry = "public", "Kommune"
        elif kind == 1:
            name = f"Helse {REGIONS[i % len(REGIONS)]} {PLACES[(i * 7) % len(PLACES)]} HF"
            sector, industry = "public", "Helseforetak"
        else:
            trade = TRADE[i % len(TRADE)]
            name = f"{PLACES[(i * 3) % len(PLACES)]} {trade} {SUFFIX_PRIVATE[i % len(SUFFIX_PRIVATE)]}"
            sector, industry = "private", trade
        i += 1
        slug = slugify(name)
        if slug in seen:
            name = f"{name} {i}"
            slug = slugify(name)
        seen.add(slug)
        out.append((slug, name, sector, industry))
    return out


def questions():
    text = open(os.path.join(REPO, "report-templates", "2024.toml"), encoding="utf-8").read()
    return re.findall(r'number = "([^"]+)"\s*\nnb = "([^"]+)"', text)


def report(rng, name, year, suppliers, qs):
    out = ["+++", f"year = {year}", f"published = {year + 1}-03-{rng.randint(1, 28):02d}", "",
           "[figures]", f"employees = {rng.randint(20, 9000)}",
           f"agreements = {rng.randint(10, 600)}", "+++", ""]
    out += ["## Forord fra ledelsen", ""]
    for _ in range(3):
        out += [paragraph(rng, year, suppliers, rng.randint(3, 6)), ""]
    out += ["## Nøkkelinformasjon", "", f"- **Navn:** {name}",
            f"- **Antall ansatte:** {rng.randint(20, 9000)}",
            f"- **Største innkjøpskategorier:** {', '.join(rng.sample(PRODUCTS, 3))}", "",
            paragraph(rng, year, suppliers, 2), ""]
    for number, title in qs:
        depth = number.count(".") + 2
        out += ["#" * depth + f" {number} {title}", ""]
        if depth < 4:
            if rng.random() < 0.3:
                out += [paragraph(rng, year, suppliers, 1), ""]
            continue
        if number == "2.A.3":
            out += [f"Tabell: Prioriterte risikoer i {year}", "",
                    "| Prioritert risiko | Relatert tema | Geografi |", "| --- | --- | --- |"]
            for _ in range(rng.randint(3, 6)):
                risk = zipf_choice(rng, RISKS)
                out.append(f"| {risk.capitalize()} i produksjon av {zipf_choice(rng, PRODUCTS)} "
                           f"| {risk.capitalize()} | {zipf_choice(rng, COUNTRIES)} |")
            out.append("")
        for _ in range(rng.randint(1, 3)):
            out += [paragraph(rng, year, suppliers, rng.randint(2, 5)), ""]
    return "\n".join(out)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--members", type=int, default=200)
    ap.add_argument("--years", type=int, default=10)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    rng = random.Random(a.seed)
    if os.path.exists(a.out):
        shutil.rmtree(a.out)
    os.makedirs(os.path.join(a.out, "report-templates"))
    shutil.copy(os.path.join(REPO, "report-templates", "2024.toml"),
                os.path.join(a.out, "report-templates", "2024.toml"))
    with open(os.path.join(a.out, "site.toml"), "w", encoding="utf-8") as f:
        f.write('title = "Aktsomhetsrapporter (benchmark)"\n'
                'description = "Et generert korpus for å måle søket."\n'
                'publisher = "aktsom"\nbase_url = "https://bench.example.no/"\n'
                'language = "nb"\ntheme = "default"\ndefault_template = "2024"\n\n'
                '[data_licence]\nname = "CC BY 4.0"\nurl = "https://creativecommons.org/licenses/by/4.0/"\n\n'
                '[[figures]]\nid = "employees"\nlabel = { nb = "Antall ansatte", en = "Employees" }\n\n'
                '[[figures]]\nid = "agreements"\nlabel = { nb = "Aktive avtaler", en = "Active agreements" }\n')
    qs = questions()
    first_year = 2025 - a.years + 1
    for slug, name, sector, industry in members(rng, a.members):
        d = os.path.join(a.out, "content", "members", slug)
        os.makedirs(d)
        with open(os.path.join(d, "member.toml"), "w", encoding="utf-8") as f:
            f.write(f'name = "{name}"\nsector = "{sector}"\nindustry = "{industry}"\n')
        suppliers = [f"{rng.choice(SUPPLIER_PARTS)}{rng.choice(SUPPLIER_PARTS).lower()} "
                     f"{rng.choice(SUPPLIER_KIND)} AS" for _ in range(6)]
        for year in range(first_year, 2026):
            with open(os.path.join(d, f"{year}.md"), "w", encoding="utf-8") as f:
                f.write(report(rng, name, year, suppliers, qs))


if __name__ == "__main__":
    main()
