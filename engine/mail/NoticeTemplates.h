// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/Result.h"

#include <QMap>
#include <QString>
#include <QStringList>

namespace rf {

// A notice as rendered for one request: the subject and the two bodies.
struct RenderedNotice {
    QString subject;
    QString text;
    QString html;
};

// The notice templates (resources/templates/, compiled in at :/templates):
// for each notice NAME a NAME.txt (first line "Subject: ...", a blank line,
// then the plain-text body) and a NAME.html (the body of the HTML part).
// Placeholders are {{name}}; knownPlaceholders() lists them. Loading checks
// every template: a placeholder that is not known, a missing .txt or .html,
// a missing subject, an empty body or unbalanced braces is an error naming
// the file and line ("FILE:LINE: what is wrong", every problem in one
// error's details), so that a mistake is found when configuration loads, not
// as a blank in a sent mail. Values are HTML-escaped in the HTML part.
// resources/templates/README.md documents each placeholder and notice.
class NoticeTemplates
{
public:
    // The shipped set.
    [[nodiscard]] static Result<NoticeTemplates> shipped();
    // A council's own set in `directory`, same layout.
    [[nodiscard]] static Result<NoticeTemplates> load(const QString &directory);

    [[nodiscard]] static const QStringList &knownPlaceholders();
    [[nodiscard]] QStringList names() const;
    [[nodiscard]] bool contains(const QString &name) const;

    // Renders notice `name`. A placeholder without a value in `values`, or
    // with only spaces, is an Invalid error naming it (never a blank); values
    // are used as given (dates are written by the caller, e.g. "Monday 2 March
    // 2026"), in one pass, raw in the subject and text and escaped in the HTML
    // (where a line break becomes <br>). A value with a line break in the
    // subject is an error. An unknown `name` is NotFound.
    [[nodiscard]] Result<RenderedNotice> render(const QString &name, const QMap<QString, QString> &values) const;

private:
    struct Template {
        QString subject;
        QString text;
        QString html;
    };
    QMap<QString, Template> m_templates;
};

} // namespace rf
