// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "bundle/BundleContent.h"
#include "core/Result.h"

#include <QByteArray>
#include <QDateTime>
#include <QString>
#include <QStringList>

namespace rf {

// The two documents of a response bundle that people read: the covering
// letter (letter.pdf) and README.html, the page that explains the archive.
// Both are written for the requester in plain English with British dates, and
// every piece of data in them is HTML-escaped. A summary whose right is
// "portability" gets the portability letter (formats, what is and is not
// included under Art 20, transmission to another controller); any other right
// gets the access letter with the Art 15(1)(a)-(h) sections. The withheld and
// portability-exclusion sections use the same words in the letter and README.
//
// letter.pdf is typeset with Qt's own PDF writer (QPdfWriter and
// QTextDocument), A4, 20 mm margins, one embedded font face (DejaVu Sans where
// installed), "Our reference" and "Page N of M" in the footer, so it needs a
// QGuiApplication; the CLI and the tests run one on the offscreen platform.
// The PDF is reproducible: its creation date is `stamp` in UTC, so the same
// summary and stamp give the same bytes, whatever the local time zone and
// whichever process renders it. (One font face matters for that: Qt 6.4 writes
// several fonts in hash order, which differs from process to process.)
//
// README.html is one self-contained file: inline CSS, no scripts, no links to
// other files or sites, no web fonts or images, a viewport for phones,
// readable without the letter.
class ResponseDocuments
{
public:
    // The headings of the letter's sections, in order, as they appear in the
    // PDF's text. For access: the Art 15(1)(a)-(h) headings among them.
    [[nodiscard]] static QStringList letterHeadings(const ResponseSummary &summary);
    // The letter as the HTML subset QTextDocument understands.
    [[nodiscard]] static QString letterHtml(const ResponseSummary &summary);
    // The letter as PDF bytes. Errors: Unsupported when no QGuiApplication
    // runs (or this Qt writes PDF metadata in a way the stamp cannot replace);
    // Invalid for a right other than "access" or "portability", or an invalid stamp.
    [[nodiscard]] static Result<QByteArray> letterPdf(const ResponseSummary &summary, const QDateTime &stamp);
    // README.html, UTF-8.
    [[nodiscard]] static QByteArray readmeHtml(const ResponseSummary &summary);
};

} // namespace rf
