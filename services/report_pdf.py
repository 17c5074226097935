"""The inspection report (or refusal letter) as a PDF, from the dict services/report.py builds.

Set in DejaVu Sans (static/fonts/, with its licence), which covers every Latin letter the
register stores — å, ä, ö, é, ü — and the en-dash and the euro sign; the fonts are embedded
(subset) with their Unicode maps, so the text can be copied and read aloud. Headings are
the PDF's outline (bookmarks); the document's language and title are set in its metadata.
"""

import pathlib

from fpdf import FPDF
from fpdf.enums import TableBordersLayout, XPos, YPos
from fpdf.fonts import FontFace

FONTS_DIR = pathlib.Path(__file__).resolve().parent.parent / "static" / "fonts"
FONT = "DejaVu"
DARK = (33, 37, 41)
MUTED = (73, 80, 87)
LINE = (173, 181, 189)
HEADER_FILL = (233, 236, 239)

# A4 with 18 mm margins: 174 mm of text width. Label column of a field list:
LABEL_WIDTH = 55
# In a table, text longer than this many characters wraps rather than widening its column.
WIDE_TEXT = 32
# Line heights (mm) of field lists and tables; a row taller than this share of the page's
# text height is not drawn as a table row (fpdf2 cannot split a row across pages): its
# text flows as paragraphs instead.
FIELD_LINE = 4.6
TABLE_LINE = 4.2
# A text this short is first measured whole: most cells fit on one line.
SHORT_TEXT = 40
# A table cell's room around its text (mm): above and below, and on either side.
ROW_PADDING, CELL_PADDING = 0.8, 1.2
TALL_ROW = 0.4


class DocumentPDF(FPDF):
    """A4 pages in the register's Unicode font, with the document's title and the page
    number (``page_words``: "Page %(page)s of %(pages)s" in the document's language) at
    the foot of each page. The register's other documents are set with it too."""

    def __init__(self, title, language, page_words):
        super().__init__(orientation="P", unit="mm", format="A4")
        self.document_title = title
        self.page_words = page_words
        self.add_font(FONT, "", str(FONTS_DIR / "DejaVuSans.ttf"))
        self.add_font(FONT, "B", str(FONTS_DIR / "DejaVuSans-Bold.ttf"))
        self.set_margins(18, 18, 18)
        self.set_auto_page_break(True, margin=18)
        self.set_title(title)
        self.set_lang(language)
        self.set_creator("Asiakasrekisteri")
        self.set_text_color(*DARK)
        self.set_draw_color(*LINE)
        self._widths = {}

    def footer(self):
        self.set_y(-12)
        self.set_font(FONT, "", 8)
        self.set_text_color(*MUTED)
        page = self.page_words % {"page": self.page_no(), "pages": "{nb}"}
        self.cell(0, 5, f"{self.document_title} · {page}", align="C")
        self.set_text_color(*DARK)

    # --- building blocks ------------------------------------------------------------------

    def heading(self, text, level):
        """A heading, also an entry of the PDF's outline."""
        size = {0: 16, 1: 13, 2: 11, 3: 10}[level]
        if self.will_page_break(size * 1.8):
            self.add_page()
        self.ln(2 if level else 0)
        self.start_section(text, level=min(level, 2))
        self.set_font(FONT, "B", size)
        self.multi_cell(0, size * 0.5, text, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(1)

    def paragraph(self, text, size=10, muted=False, bold=False):
        self.set_font(FONT, "B" if bold else "", size)
        if muted:
            self.set_text_color(*MUTED)
        self.multi_cell(0, size * 0.5, text, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_text_color(*DARK)
        self.ln(1.5)

    def lines(self, text, width, size):
        """Return how many lines ``text`` takes in a column ``width`` mm wide."""
        self.set_font(FONT, "", size)
        return len(self.wrapped(text or "–", width))

    def text_width(self, text):
        """Return the width (mm) of ``text`` in the current font, remembered per font: a
        long table repeats its words (dates, channels, names) thousands of times."""
        key = (self.font_family, self.font_style, self.font_size_pt, text)
        width = self._widths.get(key)
        if width is None:  # the font's own measure, without get_string_width's parsing
            width = self.current_font.get_text_width(
                self.normalize_text(text), self.font_size_pt, None)[1] / self.k
            self._widths[key] = width
        return width

    def wrapped(self, text, width):
        """Return ``text`` broken into lines no wider than ``width`` mm in the current font:
        at its line breaks and spaces, and a word wider than the column at a character, as
        ``multi_cell`` breaks it (but without measuring each character each time)."""
        lines = []
        space = self.text_width(" ")
        for paragraph in str(text).splitlines() or [""]:
            if len(paragraph) <= SHORT_TEXT and self.text_width(paragraph) <= width:
                lines.append(" ".join(paragraph.split()))  # most cells: one line
                continue
            line, used = [], 0.0
            for word in paragraph.split():
                size = self.text_width(word)
                if line and used + space + size <= width:
                    line.append(word)
                    used += space + size
                    continue
                if line:
                    lines.append(" ".join(line))
                while size > width and len(word) > 1:  # a word wider than the column
                    cut = self._fitting(word, width)
                    lines.append(word[:cut])
                    word = word[cut:]
                    size = self.text_width(word)
                line, used = [word], size
            lines.append(" ".join(line))
        return lines

    def _fitting(self, word, width):
        """Return how many of ``word``'s first characters fit in ``width`` mm (at least 1)."""
        used = 0.0
        for count, char in enumerate(word):
            used += self.text_width(char)
            if used > width:
                return max(count, 1)
        return len(word)

    def fits_in_a_row(self, lines, line_height):
        """Tell whether a table row of ``lines`` lines can be drawn on one page (with room)."""
        return lines * line_height <= self.eph * TALL_ROW

    def field_list(self, pairs):
        """Label–value pairs as a two-column table; a value too long for one row flows."""
        run = []
        for label, text in pairs:
            lines = self.lines(text, self.epw - LABEL_WIDTH - 3, 9)
            if self.fits_in_a_row(lines, FIELD_LINE):
                run.append((label, text))
                continue
            self._pairs(run)
            run = []
            self.paragraph(label, size=9, bold=True)
            self.paragraph(text, size=9)
        self._pairs(run)

    def _pairs(self, pairs):
        if not pairs:
            return
        self.set_font(FONT, "", 9)
        with self.table(col_widths=(LABEL_WIDTH, self.epw - LABEL_WIDTH),
                        first_row_as_headings=False, text_align="LEFT",
                        borders_layout=TableBordersLayout.HORIZONTAL_LINES,
                        line_height=FIELD_LINE, padding=(0.8, 1.5), width=self.epw) as table:
            for label, text in pairs:
                row = table.row()
                row.cell(label, style=FontFace(emphasis="BOLD"))
                row.cell(text or "–")
        self.ln(2)

    def data_table(self, columns, rows):
        """Rows under a heading row that repeats on every page.

        Returns False, drawing nothing, when a row would not fit on a page: the caller shows
        those rows one at a time instead. Drawn line by line (``text``, ``line``), not with
        fpdf2's table, which measures every character of every cell several times: a
        subject's ten thousand contact events would take twenty seconds.
        """
        widths = _column_widths(columns, rows)
        scale = self.epw / sum(widths)
        widths = [w * scale for w in widths]
        room = [w - 2 * CELL_PADDING for w in widths]
        self.set_font(FONT, "", 8)
        wrapped = []
        for cells in rows:
            lines = [self.wrapped(cell["text"] or "–", width)
                     for cell, width in zip(cells, room)]
            if not self.fits_in_a_row(max(len(cell) for cell in lines), TABLE_LINE):
                return False
            wrapped.append(lines)
        self.set_font(FONT, "B", 8)
        heading = [self.wrapped(column["label"], width) for column, width in zip(columns, room)]
        self._table_row(widths, heading, bold=True)
        for lines in wrapped:
            if self.will_page_break(self._row_height(lines)):
                self.add_page()
                self._table_row(widths, heading, bold=True)
            self._table_row(widths, lines)
        self.ln(2)
        return True

    @staticmethod
    def _row_height(lines):
        return max(len(cell) for cell in lines) * TABLE_LINE + 2 * ROW_PADDING

    def _table_row(self, widths, lines, bold=False):
        """Draw one row of cells (each a list of lines) at the current position, a line
        under it, and move below it. A heading row is bold on a grey ground."""
        height = self._row_height(lines)
        top, x = self.get_y(), self.l_margin
        self.set_font(FONT, "B" if bold else "", 8)
        if bold:
            self.set_fill_color(*HEADER_FILL)
            self.rect(x, top, sum(widths), height, style="F")
            # Back to the text's colour: while the two differ, fpdf2 wraps every string
            # drawn in a colour change of its own.
            self.set_fill_color(*DARK)
        # The first line's baseline, where ``cell`` would put it in a line of TABLE_LINE.
        baseline = top + ROW_PADDING + TABLE_LINE / 2 + 0.3 * self.font_size
        for width, cell in zip(widths, lines):
            for number, line in enumerate(cell):
                if line:
                    self.text(x + CELL_PADDING, baseline + number * TABLE_LINE, line)
            x += width
        self.line(self.l_margin, top + height, self.l_margin + sum(widths), top + height)
        self.set_xy(self.l_margin, top + height)


def _column_widths(columns, rows):
    """Share the width by what the columns hold: an email address gets more than a date.

    A column gets room for its longest value (up to ``WIDE_TEXT`` characters; longer text
    wraps) and at least for the longest word of its heading.
    """
    widths = []
    for i, column in enumerate(columns):
        heading_word = max((len(word) for word in column["label"].split()), default=1)
        longest = max((len(cells[i]["text"]) for cells in rows), default=1)
        widths.append(max(heading_word, min(longest, WIDE_TEXT), 4))
    return tuple(widths)


def render_pdf(report):
    """Return the report or the refusal letter as PDF bytes."""
    pdf = DocumentPDF(report["title"], report["language"], report["words"]["page"])
    pdf.add_page()
    pdf.heading(report["title"], 0)
    if report.get("subtitle"):
        pdf.paragraph(report["subtitle"], size=10, muted=True)
    pdf.paragraph(report["generated_at"]["text"], size=9, muted=True)
    if report["document"] == "refusal_letter":
        _refusal(pdf, report)
    else:
        _report(pdf, report)
    pdf.heading(report["words"]["information"], 1)
    for section in report["information"]:
        pdf.heading(section["heading"], 2)
        for text in section["paragraphs"]:
            pdf.paragraph(text)
    notice = report.get("privacy_notice")
    if notice:
        pdf.paragraph(notice["text"])
        if notice.get("url"):
            pdf.paragraph(notice["url"], size=9)
    return bytes(pdf.output())


def _request_lines(pdf, report):
    request = report.get("request")
    if request:
        pdf.field_list([(cell["label"], cell["text"]) for cell in request.values()
                        if cell["text"]])


def _refusal(pdf, report):
    _request_lines(pdf, report)
    for text in report["paragraphs"]:
        pdf.paragraph(text)
    pdf.heading(report["reason_heading"], 1)
    pdf.paragraph(report["reason"])


def _report(pdf, report):
    words = report["words"]
    _request_lines(pdf, report)
    for text in report["intro"]:
        pdf.paragraph(text)
    if not report["subjects"]:
        pdf.paragraph(words["no_subjects"])
    for subject in report["subjects"]:
        pdf.heading(subject["heading"], 1)
        if subject.get("section"):
            pdf.paragraph(subject["section"], size=9, muted=True)
        if subject.get("linked_to"):
            pdf.paragraph(subject["linked_to"], size=9, muted=True)
        if subject.get("informed"):
            pdf.paragraph(subject["informed"], size=9)
        for category in subject["categories"]:
            pdf.heading(category["label"], 2)
            if category.get("note"):
                pdf.paragraph(category["note"], size=9)
            pdf.field_list([(cell["label"], cell["text"]) for cell in category["fields"]])
            for table in category["tables"]:
                if table["label"] != category["label"] or category["fields"]:
                    pdf.heading(table["label"], 3)
                if not table["rows"]:
                    pdf.paragraph(words["none"], size=9, muted=True)
                elif not (table["layout"] == "table"
                          and pdf.data_table(table["columns"], table["rows"])):
                    _rows_one_by_one(pdf, table)
        if subject.get("sources"):
            pdf.heading(subject["sources"]["heading"], 2)
            pdf.field_list([(line["label"], line["text"]) for line in subject["sources"]["lines"]])
        if "disclosures" in subject:
            disclosures = subject["disclosures"]
            pdf.heading(disclosures["label"], 2)
            if disclosures["rows"]:
                _rows_one_by_one(pdf, disclosures)
            else:
                pdf.paragraph(disclosures["none"], size=9)
        if subject["empty_categories"]:
            pdf.paragraph(f"{words['empty_categories']} {', '.join(subject['empty_categories'])}.",
                          size=9, muted=True)


def _rows_one_by_one(pdf, table):
    """Each row of a table under its own heading ("Invoice 1"), as a list of its fields."""
    for number, cells in enumerate(table["rows"], start=1):
        pdf.paragraph(table["row_label"] % {"number": number}, size=9, bold=True)
        pdf.field_list([(cell["label"], cell["text"]) for cell in cells if cell["text"]])
