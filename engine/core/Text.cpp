// SPDX-License-Identifier: GPL-3.0-or-later
#include "Text.h"

namespace rf {

const TextRule TextRule::kName {Shape::OneLine, 200};
const TextRule TextRule::kEmail {Shape::OneLine, 254};
const TextRule TextRule::kPhone {Shape::OneLine, 40};
const TextRule TextRule::kPostcode {Shape::OneLine, 16};
const TextRule TextRule::kIdentifier {Shape::OneLine, 100};
const TextRule TextRule::kAddress {Shape::Lines, 1000};
const TextRule TextRule::kShortText {Shape::OneLine, 200};
const TextRule TextRule::kFileName {Shape::OneLine, 1024};
const TextRule TextRule::kNote {Shape::FreeText, 20000};

namespace {

// Characters that change what a terminal or a reader sees beyond themselves:
// C0 and C1 controls, DEL, the line and paragraph separators, and the
// bidirectional marks, embeddings, overrides and isolates.
bool isHazard(char16_t c)
{
    return c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == 0x061c || c == 0x200e || c == 0x200f || c == 0x2028 || c == 0x2029
        || (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069);
}

QString codePoint(char16_t c)
{
    return QStringLiteral("U+") + QString::number(uint(c), 16).toUpper().rightJustified(4, QLatin1Char('0'));
}

QString nameOf(char16_t c)
{
    switch (c) {
    case 0x0a:
        return QStringLiteral("a line feed");
    case 0x0d:
        return QStringLiteral("a carriage return");
    case 0x09:
        return QStringLiteral("a tab");
    case 0x1b:
        return QStringLiteral("the escape character %1").arg(codePoint(c));
    case 0x2028:
    case 0x2029:
        return QStringLiteral("the line or paragraph separator %1").arg(codePoint(c));
    default:
        break;
    }
    if (c >= 0x200e)
        return QStringLiteral("the text direction control %1").arg(codePoint(c));
    return QStringLiteral("the control character %1").arg(codePoint(c));
}

QString escaped(char16_t c)
{
    switch (c) {
    case 0x0a:
        return QStringLiteral("\\n");
    case 0x0d:
        return QStringLiteral("\\r");
    case 0x09:
        return QStringLiteral("\\t");
    default:
        return QStringLiteral("\\u") + QString::number(uint(c), 16).toUpper().rightJustified(4, QLatin1Char('0'));
    }
}

QString printableKeeping(const QString &text, bool keepLineFeeds)
{
    QString out;
    out.reserve(text.size());
    for (qsizetype i = 0; i < text.size(); ++i) {
        const QChar c = text.at(i);
        if (c.isHighSurrogate() && i + 1 < text.size() && text.at(i + 1).isLowSurrogate()) {
            out += c;
            out += text.at(++i);
        } else if (c.isSurrogate() || (isHazard(c.unicode()) && !(keepLineFeeds && c == u'\n'))) {
            out += escaped(c.unicode());
        } else {
            out += c;
        }
    }
    return out;
}

} // namespace

std::optional<QString> textProblem(const QString &field, const QString &text, const TextRule &rule)
{
    if (text.size() > rule.maxLength)
        return QStringLiteral("%1: %2 characters is more than the %3 it may hold; shorten it")
            .arg(field)
            .arg(text.size())
            .arg(rule.maxLength);
    for (qsizetype i = 0; i < text.size(); ++i) {
        const QChar c = text.at(i);
        if (c.isHighSurrogate() && i + 1 < text.size() && text.at(i + 1).isLowSurrogate()) {
            ++i;
            continue;
        }
        if (c.isSurrogate())
            return QStringLiteral("%1: holds half of a character (an unpaired surrogate) at character %2; retype it")
                .arg(field)
                .arg(i + 1);
        if (!isHazard(c.unicode()))
            continue;
        if (c == u'\n' && rule.shape != TextRule::Shape::OneLine)
            continue;
        if (c == u'\t' && rule.shape == TextRule::Shape::FreeText)
            continue;
        const QString takes = rule.shape == TextRule::Shape::OneLine
            ? QStringLiteral("a one-line field takes no line breaks, control characters or text direction controls")
            : rule.shape == TextRule::Shape::Lines
            ? QStringLiteral("it takes line feeds (LF) between its lines but no other control characters")
            : QStringLiteral("it takes line feeds (LF) and tabs but no other control characters");
        return QStringLiteral("%1: holds %2 at character %3; %4").arg(field, nameOf(c.unicode())).arg(i + 1).arg(takes);
    }
    return std::nullopt;
}

bool checkText(QStringList &problems, const QString &field, const QString &text, const TextRule &rule)
{
    if (const std::optional<QString> problem = textProblem(field, text, rule)) {
        problems << *problem;
        return true;
    }
    return false;
}

QString printable(const QString &text)
{
    return printableKeeping(text, false);
}

QString printableLines(const QString &text)
{
    return printableKeeping(text, true);
}

} // namespace rf
