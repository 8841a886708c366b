//! What the recogniser makes of a report's text: a model of the report, written out as
//! Markdown by [`super::write`].

/// A recognised report.
#[derive(Debug, Default)]
pub(super) struct Report {
    pub(crate) member: MemberFacts,
    /// Key figures found, in the order of the text.
    pub(crate) figures: Vec<Figure>,
    /// The sections, in the order of the text.
    pub(crate) sections: Vec<Section>,
    /// What was recognised and left out, and warnings, with the input's line.
    pub(crate) notes: Vec<Note>,
    /// The form's tables found.
    pub(crate) tables: Vec<TableFound>,
}

/// What the key-information part says of the member.
#[derive(Debug, Default, Clone)]
pub(super) struct MemberFacts {
    pub(crate) name: Option<String>,
    pub(crate) address: Option<String>,
    pub(crate) org_number: Option<String>,
}

/// A key figure found in the text.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Figure {
    /// The figure's id in site.toml.
    pub(crate) id: String,
    pub(crate) value: f64,
    pub(crate) whole: bool,
    /// The label as the report prints it.
    pub(crate) label: String,
    pub(crate) line: usize,
}

/// A heading and what follows it.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Section {
    /// 2 for a part or an unnumbered section, 3 for a group, 4 for a question.
    pub(crate) level: u8,
    /// The template's number, for numbered headings.
    pub(crate) number: Option<String>,
    /// The heading's text as the report has it (without the number).
    pub(crate) heading: String,
    /// The input line of the heading (0 when it was added from the template).
    pub(crate) line: usize,
    pub(crate) blocks: Vec<Block>,
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
    pub(crate) caption: String,
    pub(crate) head: Vec<String>,
    pub(crate) rows: Vec<Vec<String>>,
}

/// A table of the form and what became of it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct TableFound {
    /// The question number, or the section's heading.
    pub(crate) place: String,
    pub(crate) line: usize,
    pub(crate) rows: usize,
    pub(crate) columns: usize,
    /// Written as a Markdown table, or as text.
    pub(crate) as_table: bool,
}

/// Something the importer wants the user to know, at a line of the input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Note {
    pub(crate) line: usize,
    /// The last line it concerns, for a range (text left out).
    pub(crate) end: usize,
    pub(crate) kind: NoteKind,
    pub(crate) message: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NoteKind {
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
