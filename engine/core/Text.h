// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QString>
#include <QStringList>

#include <optional>

namespace rf {

// What text a person may put into the register, and how stored text is shown.
//
// Every field a person fills in (a name, an e-mail address, a note, a file
// name, an action's input) is checked against one TextRule before it reaches
// the register: a one-line field takes no control character (C0, DEL, C1),
// no line or paragraph separator and no bidirectional override or isolate,
// since any of these can forge a line of output, retitle a terminal or make a
// name read backwards; a multi-line field takes line feeds (and, for free
// text, tabs) but nothing else of the kind; every field has a length limit.
// printable() is the other half: registers written before these rules, and
// text from other systems, may still hold such characters, so whatever prints
// stored text to a terminal or a log shows them as visible escapes instead.
struct TextRule {
    enum class Shape {
        OneLine, // no control characters at all
        Lines, // line feeds allowed (a postal address)
        FreeText, // line feeds and tabs allowed (a note)
    };
    Shape shape = Shape::OneLine;
    qsizetype maxLength = 200; // in characters (UTF-16 code units)

    static const TextRule kName; // a person's name, a relationship: one line, 200
    static const TextRule kEmail; // one line, 254 (RFC 5321's limit on a path)
    static const TextRule kPhone; // one line, 40
    static const TextRule kPostcode; // one line, 16
    static const TextRule kIdentifier; // one line, 100 (an account number, an NI number)
    static const TextRule kAddress; // lines, 1000
    static const TextRule kShortText; // one line, 200 (a user name, a category, an action's text input)
    static const TextRule kFileName; // one line, 1024 (longer names are shortened in a bundle, not refused)
    static const TextRule kNote; // free text, 20000 (a note, a scope, a reason)
};

// The problem with `text` as the value of `field` under `rule`, worded for the
// person who typed it ("requester.name: holds the control character U+001B
// (ESC) at character 5; ..."), or nothing when it is fine. The text itself is
// never repeated: it is what cannot be printed.
[[nodiscard]] std::optional<QString> textProblem(const QString &field, const QString &text, const TextRule &rule);
// Appends textProblem() to `problems` when there is one; true when there was.
bool checkText(QStringList &problems, const QString &field, const QString &text, const TextRule &rule);

// `text` safe to print on a terminal or in a log line: every character that
// textProblem() refuses in a one-line field, and an unpaired surrogate, is
// written as a visible escape (\n, \r, \t, \u001B, \u202E); everything else,
// a backslash included, as it is.
[[nodiscard]] QString printable(const QString &text);
// The same for multi-line text printed as lines: line feeds stay.
[[nodiscard]] QString printableLines(const QString &text);

} // namespace rf
