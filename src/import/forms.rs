//! What the association's report form prints itself, as data: section titles, field
//! labels and the layout of its tables. The recogniser in [`super::layout`] looks for
//! these texts; they are compared after [`super::text::normalise`] (case, spaces and a
//! closing colon do not matter). When the form changes, this file changes.

/// What to do with a section of the form that has a title of its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum TitleKind {
    /// The association's or the form's own text (its foreword, the introduction to the
    /// model): left out of the member's report.
    Skip,
    /// The member's text under its own heading (the leader's foreword, the contact).
    Text,
    /// Label and value pairs (key information, procurement figures).
    Fields,
    /// The year's goals and their status, and the goals for the coming year.
    Goals,
    /// A sub-title inside a section: left out (the section has its heading).
    Subtitle,
}

/// The form's section titles (the start of the title is enough for long ones).
pub(super) const TITLES: &[(&str, TitleKind)] = &[
    ("Til lesere av rapporten", TitleKind::Skip),
    (
        "Rapportering på aktsomhetsvurderinger med hensyn til",
        TitleKind::Skip,
    ),
    ("Forord fra virksomhetsleder", TitleKind::Text),
    ("Forord fra ledelsen", TitleKind::Text),
    ("Forord", TitleKind::Text),
    (
        "Nøkkelinformasjon om virksomheten og leverandørkjeden",
        TitleKind::Fields,
    ),
    ("Nøkkelinformasjon om virksomheten", TitleKind::Subtitle),
    ("Nøkkelinformasjon", TitleKind::Fields),
    ("Informasjon om anskaffelser/avtaler", TitleKind::Fields),
    ("Mål og fremdrift", TitleKind::Goals),
    ("Kontaktinformasjon", TitleKind::Text),
];

/// Field labels of the key-information part that go into `member.toml`.
pub(super) const NAME_LABELS: &[&str] = &["Navn på virksomheten", "Navn"];
pub(super) const ADDRESS_LABELS: &[&str] = &["Adresse hovedkontor", "Adresse"];
pub(super) const ORG_NUMBER_LABELS: &[&str] = &["Organisasjonsnummer", "Org.nr.", "Org. nr."];

/// Other field labels of the key-information part (their values stay in the report).
pub(super) const OTHER_LABELS: &[&str] = &[
    "Navn, tittel og tlf.nr. for kontaktperson for rapporten",
    "E-post adresse for kontaktperson for rapporten",
    "Beskrivelse av virksomhetens struktur",
];

/// A label that opens one record of a question's answer; the paragraph just above it
/// is the record's title (3.A.1: one record per prioritised risk).
pub(super) const RECORD_TITLE_BEFORE: &[&str] = &["Overordnet mål"];

/// How one of the form's tables is printed in the PDF's text.
#[derive(Debug)]
pub(super) enum TableLayout {
    /// Numbered records (a line with only the record's number), each with these labels,
    /// the value after the label on its line or in the paragraphs below it.
    Records { labels: &'static [&'static str] },
    /// A header line with these column titles, then each row's cells as paragraphs,
    /// one after the other: the risk, its related themes (one a line), the geography.
    RiskRows { header: &'static [&'static str] },
}

/// A table of the form: the question it belongs to, its caption and its layout.
#[derive(Debug)]
pub(super) struct TableSpec {
    pub(crate) question: &'static str,
    pub(crate) caption: &'static str,
    /// What one record is called, for records written as text (`Anskaffelse 2`).
    pub(crate) record: &'static str,
    pub(crate) layout: TableLayout,
}

pub(super) const TABLES: &[TableSpec] = &[
    TableSpec {
        question: "2.A.2",
        caption: "Etiske og sosiale krav i anskaffelsene",
        record: "Anskaffelse",
        layout: TableLayout::Records {
            labels: &[
                "I hvilke type anskaffelser",
                "Ant. leverandører på avtalen",
                "Anvendt som kvalifikasjonskrav",
                "Anvendt ved tildeling av kontrakt",
                "Anvendt som kontraktsvilkår",
            ],
        },
    },
    TableSpec {
        question: "2.A.3",
        caption: "Prioriterte risikoer",
        record: "Risiko",
        layout: TableLayout::RiskRows {
            header: &["Prioritert risiko", "Relatert tema", "Geografi"],
        },
    },
    TableSpec {
        question: "4.A.3",
        caption: "Avvik",
        record: "Avvik",
        layout: TableLayout::Records {
            labels: &[
                "Type avvik (barnearbeid, HMS, lønn, arbeidstid etc)",
                "Hvor i leverandørkjeden?",
                "Tiltak iverksatt for å rette avvik",
                "Status",
            ],
        },
    },
];

/// The goals part's records: each goal with its status.
pub(super) const GOAL_LABELS: &[&str] = &["Mål", "Status"];
pub(super) const GOALS_CAPTION: &str = "Mål og status";
pub(super) const GOAL_RECORD: &str = "Mål";

/// The table of the form for a question, if it has one.
pub(super) fn table_for(question: &str) -> Option<&'static TableSpec> {
    TABLES.iter().find(|t| t.question == question)
}
