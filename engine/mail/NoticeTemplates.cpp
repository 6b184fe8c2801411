// SPDX-License-Identifier: GPL-3.0-or-later
#include "mail/NoticeTemplates.h"

#include "core/InputLimits.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QRegularExpression>
#include <QStringDecoder>

#include <optional>

namespace rf {

namespace {

const QLatin1String kSubjectPrefix("Subject:");

// A template as the renderer walks it: literal text and placeholders, in order.
struct Segment {
    QString text; // the literal text, or the placeholder's name
    bool placeholder = false;
};

// Problems are collected as "FILE:LINE: what is wrong", as JsonChecker does
// for JSON, so that one load reports everything there is to fix.
class Problems
{
public:
    void add(const QString &file, int line, const QString &message)
    {
        m_list << QStringLiteral("%1:%2: %3").arg(file).arg(line).arg(message);
    }
    [[nodiscard]] const QStringList &list() const { return m_list; }

private:
    QStringList m_list;
};

QString placeholderText(const QString &name)
{
    return QStringLiteral("{{") + name + QStringLiteral("}}");
}

// Splits `text` into literal text and placeholders. `file` and `firstLine`
// place a problem; with `problems` null the text is known to be valid (it was
// checked when it loaded) and nothing is reported. A placeholder opens and
// closes on one line; spaces inside the braces are allowed ("{{ reference }}").
QList<Segment> scan(const QString &text, const QString &file, int firstLine, Problems *problems)
{
    static const QString open = QStringLiteral("{{");
    static const QString close = QStringLiteral("}}");
    QList<Segment> segments;
    QString literal;
    int line = firstLine;
    qsizetype i = 0;
    const qsizetype n = text.size();
    auto flush = [&] {
        if (!literal.isEmpty())
            segments.append(Segment {literal, false});
        literal.clear();
    };
    while (i < n) {
        if (text.at(i) == QLatin1Char('\n')) {
            ++line;
            literal += text.at(i++);
            continue;
        }
        if (text.mid(i, 2) == open) {
            const qsizetype end = text.indexOf(close, i + 2);
            qsizetype lineEnd = text.indexOf(QLatin1Char('\n'), i + 2);
            if (lineEnd < 0)
                lineEnd = n;
            const qsizetype reopened = text.indexOf(open, i + 2);
            if (end < 0 || end > lineEnd || (reopened >= 0 && reopened < end)) {
                if (problems)
                    problems->add(file, line, QStringLiteral("unbalanced {{: no }} closes it on this line"));
                literal += open;
                i += 2;
                continue;
            }
            const QString name = text.mid(i + 2, end - i - 2).trimmed();
            if (problems && !NoticeTemplates::knownPlaceholders().contains(name))
                problems->add(file, line,
                    QStringLiteral("unknown placeholder %1 (known: %2)")
                        .arg(placeholderText(name), NoticeTemplates::knownPlaceholders().join(QStringLiteral(", "))));
            flush();
            segments.append(Segment {name, true});
            i = end + 2;
            continue;
        }
        if (text.mid(i, 2) == close) {
            if (problems)
                problems->add(file, line, QStringLiteral("unbalanced }}: no {{ opens it"));
            literal += close;
            i += 2;
            continue;
        }
        literal += text.at(i++);
    }
    flush();
    return segments;
}

// The file as text with "\n" line ends; nothing, and a problem, when it
// cannot be read or is not UTF-8.
std::optional<QString> readTemplateFile(const QString &path, Problems &problems)
{
    Result<QByteArray> content = readInputFile(path, InputKind::NoticeTemplate);
    if (!content) {
        // The reader's message starts with the file's name, which add() gives too.
        problems.add(path, 1, content.error().message.mid(path.size() + 2));
        return std::nullopt;
    }
    QByteArray bytes = *content;
    if (bytes.startsWith("\xEF\xBB\xBF"))
        bytes.remove(0, 3);
    // Line by line, so that a bad byte is reported where a person can find it.
    const QList<QByteArray> lines = bytes.split('\n');
    QStringList decodedLines;
    for (qsizetype l = 0; l < lines.size(); ++l) {
        QStringDecoder decoder(QStringDecoder::Utf8);
        decodedLines << decoder.decode(lines.at(l));
        if (decoder.hasError()) {
            problems.add(path, int(l + 1), QStringLiteral("not valid UTF-8: save the file as UTF-8"));
            return std::nullopt;
        }
    }
    QString text = decodedLines.join(QLatin1Char('\n'));
    text.replace(QStringLiteral("\r\n"), QStringLiteral("\n")).replace(QLatin1Char('\r'), QLatin1Char('\n'));
    return text;
}

// The body as sent: no blank lines before it, one line end after it.
QString tidyBody(const QString &body)
{
    QStringList lines = body.split(QLatin1Char('\n'));
    while (!lines.isEmpty() && lines.constFirst().trimmed().isEmpty())
        lines.removeFirst();
    while (!lines.isEmpty() && lines.constLast().trimmed().isEmpty())
        lines.removeLast();
    for (QString &l : lines) {
        while (!l.isEmpty() && l.back().isSpace())
            l.chop(1);
    }
    return lines.join(QLatin1Char('\n')) + QLatin1Char('\n');
}

struct TextPart {
    QString subject;
    QString body;
};

// NAME.txt: "Subject: ...", a blank line, then the body.
TextPart parseText(const QString &path, const QString &content, Problems &problems)
{
    TextPart part;
    if (content.trimmed().isEmpty()) {
        problems.add(path, 1, QStringLiteral("empty file: expected \"Subject: ...\", a blank line, then the body"));
        return part;
    }
    const QStringList lines = content.split(QLatin1Char('\n'));
    const QString first = lines.constFirst();
    if (!first.startsWith(kSubjectPrefix)) {
        problems.add(path, 1,
            QStringLiteral("the first line must be the subject, \"Subject: ...\" (found \"%1\")").arg(first.left(60).trimmed()));
        // Still check the placeholders, with the lines where they are.
        scan(content, path, 1, &problems);
        return part;
    }
    part.subject = first.mid(kSubjectPrefix.size()).trimmed();
    if (part.subject.isEmpty())
        problems.add(path, 1, QStringLiteral("the subject is empty: write it after \"Subject:\""));
    scan(part.subject, path, 1, &problems);
    int bodyLine = 2;
    if (lines.size() > 1 && !lines.at(1).trimmed().isEmpty())
        problems.add(path, 2, QStringLiteral("expected a blank line between the subject and the body"));
    else
        bodyLine = 3;
    const QString body = lines.mid(bodyLine - 1).join(QLatin1Char('\n'));
    if (body.trimmed().isEmpty()) {
        problems.add(path, bodyLine, QStringLiteral("empty body: nothing follows the subject"));
        return part;
    }
    // Scan before tidying, so that line numbers are those of the file.
    scan(body, path, bodyLine, &problems);
    part.body = tidyBody(body);
    return part;
}

QString parseHtml(const QString &path, const QString &content, Problems &problems)
{
    if (content.trimmed().isEmpty()) {
        problems.add(path, 1, QStringLiteral("empty body: the HTML part has no content"));
        return {};
    }
    scan(content, path, 1, &problems);
    return tidyBody(content);
}

// Apostrophes too, so that a value is safe inside an attribute in either
// kind of quotes; a line break in a value (reasons an officer typed in
// paragraphs) stays visible in the HTML part.
QString htmlValue(const QString &value)
{
    QString escaped = value.toHtmlEscaped().replace(QLatin1Char('\''), QStringLiteral("&#39;"));
    escaped.replace(QStringLiteral("\r\n"), QStringLiteral("\n")).replace(QLatin1Char('\r'), QLatin1Char('\n'));
    return escaped.replace(QLatin1Char('\n'), QStringLiteral("<br>\n"));
}

bool hasLineBreak(const QString &value)
{
    for (const QChar c : value) {
        switch (c.unicode()) {
        case 0x0a:
        case 0x0b:
        case 0x0c:
        case 0x0d:
        case 0x85:
        case 0x2028:
        case 0x2029:
            return true;
        default:
            break;
        }
    }
    return false;
}

} // namespace

const QStringList &NoticeTemplates::knownPlaceholders()
{
    // resources/templates/README.md documents each one; keep the two in step.
    static const QStringList names {
        // The request
        QStringLiteral("reference"),
        QStringLiteral("requester_name"),
        QStringLiteral("subject_name"),
        QStringLiteral("right_label"),
        QStringLiteral("received_date"),
        QStringLiteral("due_date"),
        QStringLiteral("extended_due_date"),
        // What an officer recorded on the action that sends the notice
        QStringLiteral("evidence_needed"),
        QStringLiteral("clarification_question"),
        QStringLiteral("extension_reason"),
        QStringLiteral("refusal_grounds"),
        QStringLiteral("refusal_reason"),
        QStringLiteral("fee_amount"),
        QStringLiteral("fee_reason"),
        QStringLiteral("outcome"),
        QStringLiteral("bundle_note"),
        QStringLiteral("systems_searched"),
        QStringLiteral("lift_date"),
        QStringLiteral("lift_reason"),
        // Who writes, and where to complain
        QStringLiteral("officer_name"),
        QStringLiteral("council_name"),
        QStringLiteral("council_address"),
        QStringLiteral("council_email"),
        QStringLiteral("council_phone"),
        QStringLiteral("council_website"),
        QStringLiteral("dpo_name"),
        QStringLiteral("dpo_email"),
        QStringLiteral("dpo_address"),
        QStringLiteral("ico_website"),
        QStringLiteral("ico_phone"),
    };
    return names;
}

Result<NoticeTemplates> NoticeTemplates::shipped()
{
    // Compiled in: the same for the whole process, so read once.
    static const Result<NoticeTemplates> templates = load(QStringLiteral(":/templates"));
    return templates;
}

Result<NoticeTemplates> NoticeTemplates::load(const QString &directory)
{
    const QDir dir(directory);
    if (!dir.exists())
        return makeError(ErrorCode::NotFound, QStringLiteral("notice template directory %1 does not exist").arg(directory));
    const QStringList texts = dir.entryList({QStringLiteral("*.txt")}, QDir::Files, QDir::Name);
    const QStringList htmls = dir.entryList({QStringLiteral("*.html")}, QDir::Files, QDir::Name);
    if (texts.isEmpty() && htmls.isEmpty())
        return makeError(ErrorCode::NotFound,
            QStringLiteral("no notice templates in %1: each notice needs NAME.txt and NAME.html").arg(directory));

    static const QRegularExpression noticeName(QStringLiteral("^[a-z][a-z0-9-]*$"));
    Problems problems;
    QStringList names;
    for (const QString &file : texts + htmls) {
        const QString name = QFileInfo(file).completeBaseName();
        if (!names.contains(name))
            names << name;
    }
    names.sort();

    NoticeTemplates result;
    for (const QString &name : std::as_const(names)) {
        const QString textFile = name + QStringLiteral(".txt");
        const QString htmlFile = name + QStringLiteral(".html");
        const bool hasText = texts.contains(textFile);
        const bool hasHtml = htmls.contains(htmlFile);
        const QString textPath = dir.filePath(textFile);
        const QString htmlPath = dir.filePath(htmlFile);
        const QString firstPath = hasText ? textPath : htmlPath;
        if (!noticeName.match(name).hasMatch())
            problems.add(firstPath, 1,
                QStringLiteral("\"%1\" is not a notice name: use lower-case letters, digits and '-', as the "
                               "workflows' \"template\" names do")
                    .arg(name));
        if (!hasHtml)
            problems.add(
                textPath, 1, QStringLiteral("no %1 beside it: every notice needs a .txt and a .html part").arg(htmlFile));
        if (!hasText)
            problems.add(htmlPath, 1,
                QStringLiteral("no %1 beside it: every notice needs a .txt part (with the subject) and a .html part")
                    .arg(textFile));
        Template notice;
        if (hasText) {
            if (const std::optional<QString> content = readTemplateFile(textPath, problems)) {
                const TextPart part = parseText(textPath, *content, problems);
                notice.subject = part.subject;
                notice.text = part.body;
            }
        }
        if (hasHtml) {
            if (const std::optional<QString> content = readTemplateFile(htmlPath, problems))
                notice.html = parseHtml(htmlPath, *content, problems);
        }
        result.m_templates.insert(name, notice);
    }
    if (!problems.list().isEmpty())
        return makeError(
            ErrorCode::Invalid, QStringLiteral("the notice templates in %1 are not valid").arg(directory), problems.list());
    return result;
}

QStringList NoticeTemplates::names() const
{
    return m_templates.keys();
}

bool NoticeTemplates::contains(const QString &name) const
{
    return m_templates.contains(name);
}

Result<RenderedNotice> NoticeTemplates::render(const QString &name, const QMap<QString, QString> &values) const
{
    const auto found = m_templates.constFind(name);
    if (found == m_templates.constEnd())
        return makeError(ErrorCode::NotFound,
            QStringLiteral("no notice template \"%1\" (templates: %2)").arg(name, names().join(QStringLiteral(", "))));

    const QList<Segment> subject = scan(found->subject, {}, 1, nullptr);
    const QList<Segment> text = scan(found->text, {}, 1, nullptr);
    const QList<Segment> html = scan(found->html, {}, 1, nullptr);

    // A blank where a date or a reason should be is the mistake this class
    // exists to prevent: an empty value counts as missing.
    QStringList missing;
    for (const QList<Segment> *part : {&subject, &text, &html}) {
        for (const Segment &segment : *part) {
            if (segment.placeholder && values.value(segment.text).trimmed().isEmpty()
                && !missing.contains(placeholderText(segment.text)))
                missing << placeholderText(segment.text);
        }
    }
    if (!missing.isEmpty())
        return makeError(ErrorCode::Invalid,
            QStringLiteral("cannot write notice \"%1\": no value for %2").arg(name, missing.join(QStringLiteral(", "))));

    // A line break in a header would let a value start a header of its own.
    QStringList broken;
    for (const Segment &segment : subject) {
        if (segment.placeholder && hasLineBreak(values.value(segment.text)) && !broken.contains(placeholderText(segment.text)))
            broken << placeholderText(segment.text);
    }
    if (!broken.isEmpty())
        return makeError(ErrorCode::Invalid,
            QStringLiteral("cannot write notice \"%1\": the subject uses %2, whose value contains a line break")
                .arg(name, broken.join(QStringLiteral(", "))));

    // One pass: a value that itself contains "{{...}}" is written as it is.
    auto join = [&values](const QList<Segment> &segments, bool escape) {
        QString out;
        for (const Segment &segment : segments) {
            if (!segment.placeholder)
                out += segment.text;
            else
                out += escape ? htmlValue(values.value(segment.text)) : values.value(segment.text);
        }
        return out;
    };
    return RenderedNotice {join(subject, false).trimmed(), join(text, false), join(html, true)};
}

} // namespace rf
