//! What the recogniser makes of a report's text: a model of the report, written out as
//! Markdown by [`super::write`].

/// A recognised report.
#[derive(Debug, Default)]
pub(super) struct Report {
    pub member: MemberFacts,
    /// Key figures found, in the order of the text.
    pub figures: Vec<Figure>,
    /// The sections, in the order of the text.
    pub sections: Vec<Section>,
    /// What was recognised and left out, and warnings, with the input's line.
    pub notes: Vec<Note>,
    /// The form's tables found.
    pub tables: Vec<TableFound>,
}

/// What the key-information part says of the member.
#[derive(Debug, Default, Clone)]
pub(super) struct MemberFacts {
    pub name: Option<String>,
    pub address: Option<String>,
    pub org_number: Option<String>,
}

/// A key figure found in the text.
#[derive(Debug, Clone, PartialEq)]
pub struct Figure {
    /// The figure's id in site.toml.
    pub id: String,
    pub value: f64,
    pub whole: bool,
    /// The label as the report prints it.
    pub label: String,
    pub line: usize,
}

/// A heading and what follows it.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Section {
    /// 2 for a part or an unnumbered section, 3 for a group, 4 for a question.
    pub level: u8,
    /// The template's number, for numbered headings.
    pub number: Option<String>,
    /// The heading's text as the report has it (without the number).
    pub heading: String,
    /// The input line of the heading (0 when it was added from the template).
    pub line: usize,
    pub blocks: Vec<Block>,
}

/// A piece of a section's text.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Block {
    /// A paragraph; more than one line where the report breaks lines (a signature).
    Paragraph(Vec<String>),
    /// The question's own text below its heading, when it is longer than a heading.
    Asked(String),
    /// A list; `start` is the first number of a numbered list.
    List {
        start: Option<u64>,
        items: Vec<String>,
    },
    /// A quotation.
    Quote(String),
    /// A label of the form (`Status :`), written in bold.
    Label(String),
    /// A sub-heading inside the section, at an absolute level.
    Heading(u8, String),
    Table(Table),
    /// Short label and value pairs of the form (`**Antall ansatte:** 54 147`).
    Fields(Vec<(String, String)>),
}

#[derive(Debug, Clone, PartialEq, Default)]
pub(super) struct Table {
    pub caption: String,
    pub head: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

/// A table of the form and what became of it.
#[derive(Debug, Clone, PartialEq)]
pub struct TableFound {
    /// The question number, or the section's heading.
    pub place: String,
    pub line: usize,
    pub rows: usize,
    pub columns: usize,
    /// Written as a Markdown table, or as text.
    pub as_table: bool,
}

/// Something the importer wants the user to know, at a line of the input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    pub line: usize,
    /// The last line it concerns, for a range (text left out).
    pub end: usize,
    pub kind: NoteKind,
    pub message: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoteKind {
    /// The form's own text, left out of the report.
    Skipped,
    /// Something to check by hand.
    Warning,
}

impl Report {
    pub(super) fn warn(&mut self, line: usize, message: impl Into<String>) {
        self.notes.push(Note {
            line,
            end: line,
            kind: NoteKind::Warning,
            message: message.into(),
        });
    }

    pub(super) fn skipped(&mut self, line: usize, end: usize, message: impl Into<String>) {
        self.notes.push(Note {
            line,
            end,
            kind: NoteKind::Skipped,
            message: message.into(),
        });
    }

    /// The question numbers found, in the order of the text.
    pub(super) fn numbers(&self) -> impl Iterator<Item = &str> {
        self.sections.iter().filter_map(|s| s.number.as_deref())
    }
}
