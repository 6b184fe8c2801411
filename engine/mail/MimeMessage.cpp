// SPDX-License-Identifier: GPL-3.0-or-later
#include "mail/MimeMessage.h"

#include "core/EmailAddress.h"

#include <QCryptographicHash>
#include <QLocale>
#include <QRegularExpression>
#include <QStringList>

#include <algorithm>
#include <optional>

namespace rf {

namespace {

// RFC 5322 2.1.1: lines SHOULD stay within 78 characters (998 is the limit).
constexpr qsizetype kFoldColumn = 78;
// RFC 2047 allows encoded words of 75 characters; ours stop at 66 so that one
// still fits on the first line after the longest field name we put one in
// ("Reply-To: ", and ` name="` in a Content-Type).
constexpr qsizetype kMaxEncodedWord = 66;
// The longest word of a subject or name written as it is; a longer one (a
// pasted URL, say) is encoded, because encoded words can be cut anywhere.
constexpr qsizetype kMaxPlainWord = 66;
// A file name written as a quoted filename= parameter; longer ones use RFC 2231.
constexpr qsizetype kMaxPlainFileName = 60;
// RFC 2045: quoted-printable and base64 lines have at most 76 characters.
constexpr qsizetype kMaxBodyLine = 76;
// RFC 2231 values that fit a line with their names: ` filename*=UTF-8''` and
// the value whole, or ` filename*0*=UTF-8''`, a section and ";".
constexpr qsizetype kMaxParameterValue = 60;
constexpr qsizetype kMaxParameterSection = 56;

// "=XX" for quoted-printable, "%XX" for RFC 2231.
QByteArray escaped(char mark, unsigned char octet)
{
    static constexpr char hex[] = "0123456789ABCDEF";
    QByteArray out(3, mark);
    out[1] = hex[octet >> 4];
    out[2] = hex[octet & 0xf];
    return out;
}

bool printableAscii(QStringView text)
{
    for (const QChar c : text) {
        if (c.unicode() < 0x20 || c.unicode() > 0x7e)
            return false;
    }
    return true;
}

// Text a reader could take for an encoded word must be encoded itself.
bool needsEncoding(QStringView text)
{
    return !printableAscii(text) || text.contains(u"=?");
}

// The words of `text` when they are separated by single spaces; none when
// the spacing is irregular (leading, trailing or repeated spaces), which only
// encoded words keep: folding and unfolding at a space gives the same text
// back only where there was exactly one.
std::optional<QList<QStringView>> singleSpacedWords(QStringView text)
{
    QList<QStringView> words = text.split(u' ');
    for (const QStringView word : words) {
        if (word.isEmpty())
            return std::nullopt;
    }
    return words;
}

bool isAtext(char16_t c)
{
    return (c >= u'a' && c <= u'z') || (c >= u'A' && c <= u'Z') || (c >= u'0' && c <= u'9')
        || QStringView(u"!#$%&'*+-/=?^_`{|}~").contains(QChar(c));
}

// RFC 5322 dot-atom-text: atext runs joined by single dots.
bool isDotAtom(QStringView text)
{
    if (text.isEmpty() || text.startsWith(u'.') || text.endsWith(u'.') || text.contains(u".."))
        return false;
    for (const QChar c : text) {
        if (c != u'.' && !isAtext(c.unicode()))
            return false;
    }
    return true;
}

constexpr qsizetype encodedWordLength(qsizetype octets)
{
    return 12 + 4 * ((octets + 2) / 3); // "=?UTF-8?B?" base64 "?="
}

// RFC 2047 "B" encoded words of UTF-8, each at most kMaxEncodedWord long. A
// word holds whole characters only: RFC 2047 section 5 wants each to decode
// on its own.
QList<QByteArray> encodedWords(QStringView text)
{
    QList<QByteArray> words;
    QByteArray octets;
    auto flush = [&words, &octets] {
        if (!octets.isEmpty())
            words << "=?UTF-8?B?" + octets.toBase64() + "?=";
        octets.clear();
    };
    for (qsizetype i = 0; i < text.size();) {
        const qsizetype units = text.at(i).isHighSurrogate() && i + 1 < text.size() && text.at(i + 1).isLowSurrogate() ? 2 : 1;
        const QByteArray character = text.mid(i, units).toUtf8();
        if (encodedWordLength(octets.size() + character.size()) > kMaxEncodedWord)
            flush();
        octets += character;
        i += units;
    }
    flush();
    return words;
}

bool isAtom(QStringView word)
{
    return std::all_of(word.cbegin(), word.cend(), [](QChar c) { return isAtext(c.unicode()); });
}

// A word written as it is in a subject: printable ASCII that cannot pass for
// an encoded word and fits a line.
bool isPlainWord(QStringView word)
{
    return printableAscii(word) && !word.contains(u"=?") && word.size() <= kMaxPlainWord;
}

// A word written as it is in a display name: an atom (RFC 5322 3.2.3).
bool isPlainAtom(QStringView word)
{
    return isAtom(word) && isPlainWord(word);
}

// Plain words as they are and each run of other words as encoded words,
// spaces inside a run encoded with it: the raw header stays readable, and a
// space next to a plain word is real white space to every reader. Text with
// irregular spacing is encoded whole.
QList<QByteArray> mixedTokens(QStringView text, bool (*plain)(QStringView))
{
    const std::optional<QList<QStringView>> words = singleSpacedWords(text);
    if (!words)
        return encodedWords(text);
    QList<QByteArray> tokens;
    qsizetype position = 0;
    qsizetype runStart = -1;
    for (const QStringView word : *words) {
        if (plain(word)) {
            if (runStart >= 0)
                tokens << encodedWords(text.mid(runStart, position - 1 - runStart));
            runStart = -1;
            tokens << word.toLatin1();
        } else if (runStart < 0) {
            runStart = position;
        }
        position += word.size() + 1;
    }
    if (runStart >= 0)
        tokens << encodedWords(text.mid(runStart));
    return tokens;
}

// A subject (RFC 5322 unstructured text).
QList<QByteArray> unstructuredTokens(const QString &text)
{
    if (text.isEmpty())
        return {};
    return mixedTokens(text, isPlainWord);
}

// A display name (RFC 5322 phrase): atoms when it has no specials, a quoted
// string when it has (a comma would otherwise split the mailbox list) and the
// string fits a line, encoded words for the rest.
//
// A run of non-ASCII words too long for one encoded word (over 39 octets of
// UTF-8) becomes several adjacent encoded words, and RFC 2047 6.2 has readers
// drop the white space between them. Python's modern header parser does not
// in display names (it shows a space there); the legacy one does.
QList<QByteArray> phraseTokens(const QString &name)
{
    if (name.isEmpty())
        return {};
    const std::optional<QList<QStringView>> words = singleSpacedWords(name);
    if (words && printableAscii(name) && !name.contains(u"=?")) {
        if (std::all_of(words->cbegin(), words->cend(), isPlainAtom))
            return mixedTokens(name, isPlainAtom);
        // One token: RFC 5322 allows folding inside a quoted string, but
        // readers (Python's legacy parser among them) lose the name then.
        QByteArray quoted = name.toLatin1();
        quoted.replace('\\', "\\\\").replace('"', "\\\"");
        quoted = '"' + quoted + '"';
        if (quoted.size() <= kMaxPlainWord)
            return {quoted};
    }
    return mixedTokens(name, isPlainAtom);
}

QList<QByteArray> mailboxTokens(const MailAddress &mailbox)
{
    QList<QByteArray> tokens = phraseTokens(mailbox.name);
    // As it travels: an internationalised domain in its IDNA form (render()
    // has checked the address by the same rule).
    const Result<EmailAddress> parsed = EmailAddress::parse(mailbox.address, EmailAddress::Domain::SenderMayBeLocal);
    const QByteArray address = (parsed ? parsed->ascii() : mailbox.address).toLatin1();
    tokens << (tokens.isEmpty() ? address : '<' + address + '>');
    return tokens;
}

// One header field, folded (RFC 5322 2.2.3) before a token that would pass
// column 78. Tokens are never cut: each is at most a line long, except an
// address or message ID, which are bounded well below 998 octets.
class HeaderField
{
public:
    explicit HeaderField(const QByteArray &name)
        : m_text(name + ':')
        , m_column(m_text.size())
    { }

    void add(const QByteArray &token)
    {
        if (m_tokens > 0 && m_column + 1 + token.size() > kFoldColumn) {
            m_text += "\r\n";
            m_column = 0;
        }
        m_text += ' ' + token;
        m_column += 1 + token.size();
        ++m_tokens;
    }

    void add(const QList<QByteArray> &tokens)
    {
        for (const QByteArray &token : tokens)
            add(token);
    }

    [[nodiscard]] QByteArray text() const { return m_text + "\r\n"; }

private:
    QByteArray m_text;
    qsizetype m_column = 0;
    int m_tokens = 0;
};

QByteArray header(const QByteArray &name, const QList<QByteArray> &tokens)
{
    HeaderField field(name);
    field.add(tokens);
    return field.text();
}

QByteArray mailboxListHeader(const QByteArray &name, const QList<MailAddress> &mailboxes)
{
    HeaderField field(name);
    for (qsizetype i = 0; i < mailboxes.size(); ++i) {
        QList<QByteArray> tokens = mailboxTokens(mailboxes.at(i));
        if (i + 1 < mailboxes.size())
            tokens.last() += ',';
        field.add(tokens);
    }
    return field.text();
}

// Quoted-printable (RFC 2045 6.7) of UTF-8 text: line structure kept as CRLF
// (a bare LF or CR counts as a line end), trailing spaces and tabs encoded so
// that no transport strips them, and lines at most 76 characters with soft
// breaks. A "." or "From " opening a line is encoded too: a relay that does
// not dot-stuff, or an mbox that writes ">From", leaves the line alone.
QByteArray quotedPrintable(const QString &text)
{
    QString normalised = text;
    normalised.replace(QStringLiteral("\r\n"), QStringLiteral("\n")).replace(u'\r', u'\n');
    if (!normalised.endsWith(u'\n'))
        normalised += u'\n';
    normalised.chop(1);
    QByteArray out;
    out.reserve(normalised.size() * 3 / 2);
    for (const QByteArray &line : normalised.toUtf8().split('\n')) {
        qsizetype column = 0;
        for (qsizetype i = 0; i < line.size(); ++i) {
            const auto octet = static_cast<unsigned char>(line.at(i));
            const bool last = i + 1 == line.size();
            auto token = [&]() -> QByteArray {
                const bool lineStart = column == 0;
                const bool literal = (octet >= 33 && octet <= 126 && octet != '=') || ((octet == ' ' || octet == '\t') && !last);
                const bool guarded
                    = lineStart && (octet == '.' || (octet == 'F' && QByteArrayView(line).sliced(i).startsWith("From ")));
                if (literal && !guarded)
                    return QByteArray(1, static_cast<char>(octet));
                return escaped('=', octet);
            };
            QByteArray encoded = token();
            // The last token may take column 76; any other leaves room for the "=" of a soft break.
            if (column + encoded.size() > (last ? kMaxBodyLine : kMaxBodyLine - 1)) {
                out += "=\r\n";
                column = 0;
                encoded = token();
            }
            out += encoded;
            column += encoded.size();
        }
        out += "\r\n";
    }
    return out;
}

QByteArray base64Lines(const QByteArray &content)
{
    const QByteArray encoded = content.toBase64();
    QByteArray out;
    out.reserve(encoded.size() + encoded.size() / kMaxBodyLine * 2 + 2);
    for (qsizetype i = 0; i < encoded.size(); i += kMaxBodyLine)
        out += encoded.mid(i, kMaxBodyLine) + "\r\n";
    return out;
}

// RFC 2231 value sections: "UTF-8''" and percent-encoded UTF-8, cut between
// characters so that each section also decodes alone.
QList<QByteArray> parameterSections(const QString &value)
{
    QList<QByteArray> sections {QByteArray()};
    for (qsizetype i = 0; i < value.size();) {
        const qsizetype units = value.at(i).isHighSurrogate() && i + 1 < value.size() && value.at(i + 1).isLowSurrogate() ? 2 : 1;
        QByteArray encoded;
        for (const char c : value.mid(i, units).toUtf8()) {
            const auto octet = static_cast<unsigned char>(c);
            // attribute-char: printable ASCII but "*", "'", "%", space and tspecials.
            if (octet > 0x20 && octet < 0x7f && !QByteArrayView("*'%()<>@,;:\\\"/[]?=").contains(c))
                encoded += c;
            else
                encoded += escaped('%', octet);
        }
        if (sections.last().size() + encoded.size() > kMaxParameterSection)
            sections << QByteArray();
        sections.last() += encoded;
        i += units;
    }
    return sections;
}

// A plain file name needs no encoding: readers old and new take filename="...".
bool plainFileName(const QString &name)
{
    return !needsEncoding(name) && name.size() <= kMaxPlainFileName && !name.contains(u'"') && !name.contains(u'\\');
}

// A MIME entity: its Content-* header fields and its body.
struct Entity {
    QByteArray headers;
    QByteArray body;
    bool multipart = false;
};

Entity textEntity(const char *subtype, const QString &text)
{
    return Entity {
        "Content-Type: text/" + QByteArray(subtype) + "; charset=UTF-8\r\nContent-Transfer-Encoding: quoted-printable\r\n",
        quotedPrintable(text), false};
}

// The file name goes into Content-Disposition for readers that know RFC 2231
// and, RFC 2047-encoded, into Content-Type's name= for those that do not
// (Outlook among them). No ASCII filename= beside filename*: RFC 2231 says
// nothing of which wins, and some readers (Python's email package, which the
// tests read with) take the plain one, showing a mangled name.
Entity attachmentEntity(const MailAttachment &attachment)
{
    const QByteArray mediaType
        = attachment.mediaType.isEmpty() ? QByteArrayLiteral("application/octet-stream") : attachment.mediaType.toLatin1();
    HeaderField type("Content-Type");
    type.add(mediaType + ';');
    HeaderField disposition("Content-Disposition");
    if (plainFileName(attachment.fileName)) {
        const QByteArray quoted = '"' + attachment.fileName.toLatin1() + '"';
        type.add("name=" + quoted);
        disposition.add("attachment;");
        disposition.add("filename=" + quoted);
    } else {
        QList<QByteArray> words = encodedWords(attachment.fileName);
        words.first().prepend("name=\"");
        words.last().append('"');
        type.add(words);
        disposition.add("attachment;");
        const QList<QByteArray> sections = parameterSections(attachment.fileName);
        if (sections.join().size() <= kMaxParameterValue) {
            disposition.add("filename*=UTF-8''" + sections.join());
        } else {
            for (qsizetype i = 0; i < sections.size(); ++i) {
                disposition.add("filename*" + QByteArray::number(i) + "*=" + (i == 0 ? "UTF-8''" : "") + sections.at(i)
                    + (i + 1 < sections.size() ? ";" : ""));
            }
        }
    }
    return Entity {
        type.text() + disposition.text() + "Content-Transfer-Encoding: base64\r\n", base64Lines(attachment.content), false};
}

// The boundary is a digest of the parts it separates, so the same message
// gives the same bytes. It starts with "=_", which neither quoted-printable
// ("=" is followed by hex digits or a line end) nor base64 can produce, and
// part headers never start a line with "--": no line of a part can begin with
// the delimiter. The prefixes differ between nesting levels, so that neither
// boundary is a prefix of the other (RFC 2046 5.1.1).
Entity multipartEntity(const QByteArray &subtype, const QByteArray &prefix, const QList<Entity> &parts)
{
    QCryptographicHash digest(QCryptographicHash::Sha256);
    for (const Entity &part : parts) {
        digest.addData(part.headers);
        digest.addData(part.body);
    }
    const QByteArray boundary = "=_rf." + prefix + '.' + digest.result().toHex().left(32);
    QByteArray body;
    for (const Entity &part : parts) {
        body += "--" + boundary + "\r\n" + part.headers + "\r\n" + part.body;
        // The line end before a delimiter belongs to the delimiter: a leaf's
        // last line end needs one more to survive.
        if (!part.multipart)
            body += "\r\n";
    }
    body += "--" + boundary + "--\r\n";
    return Entity {header("Content-Type", {"multipart/" + subtype + ';', "boundary=\"" + boundary + '"'}), body, true};
}

// The problems with one header text: a line break would let it start a header
// of its own (header injection); other control characters have no place in one.
void checkHeaderText(QStringList &problems, const QString &field, const QString &text)
{
    if (text.contains(u'\r') || text.contains(u'\n')) {
        problems << QStringLiteral("%1: contains a line break (CR or LF), which would start a header of its own; "
                                   "give it as one line")
                        .arg(field);
        return;
    }
    for (const QChar c : text) {
        if (c.unicode() < 0x20 || c.unicode() == 0x7f) {
            problems << QStringLiteral("%1: contains the control character U+%2; remove it")
                            .arg(field)
                            .arg(static_cast<uint>(c.unicode()), 4, 16, QLatin1Char('0'));
            return;
        }
    }
}

void checkMailbox(QStringList &problems, const QString &field, const MailAddress &mailbox,
    EmailAddress::Domain domain = EmailAddress::Domain::Qualified)
{
    checkHeaderText(problems, field + QStringLiteral(".name"), mailbox.name);
    if (mailbox.address.isEmpty()) {
        problems << QStringLiteral("%1.address: missing; give an e-mail address such as name@example.org").arg(field);
    } else if (const Result<EmailAddress> parsed = EmailAddress::parse(mailbox.address, domain); !parsed) {
        problems << QStringLiteral("%1.address: %2").arg(field, parsed.error().message);
    }
}

// An RFC 5322 msg-id without its angle brackets: dot-atom-text@dot-atom-text.
bool isMessageId(const QString &id)
{
    const qsizetype at = id.indexOf(u'@');
    return at > 0 && id.size() <= 250 && isDotAtom(QStringView(id).left(at)) && isDotAtom(QStringView(id).mid(at + 1));
}

QStringList problemsOf(const MailMessage &message)
{
    QStringList problems;
    checkMailbox(problems, QStringLiteral("from"), message.from, EmailAddress::Domain::SenderMayBeLocal);
    if (message.to.isEmpty())
        problems << QStringLiteral("to: no recipient; give at least one address");
    for (qsizetype i = 0; i < message.to.size(); ++i)
        checkMailbox(problems, QStringLiteral("to[%1]").arg(i), message.to.at(i));
    if (!message.replyTo.name.isEmpty() || !message.replyTo.address.isEmpty())
        checkMailbox(problems, QStringLiteral("replyTo"), message.replyTo);
    checkHeaderText(problems, QStringLiteral("subject"), message.subject);
    if (message.text.trimmed().isEmpty())
        problems << QStringLiteral("text: empty; every message needs its plain-text body");
    if (!message.date.isValid())
        problems << QStringLiteral("date: not a valid date and time");
    else if (message.date.date().year() < 1900 || message.date.date().year() > 9999)
        problems
            << QStringLiteral("date: year %1 cannot be written in a Date header (1900 to 9999)").arg(message.date.date().year());
    if (message.messageId.isEmpty())
        problems << QStringLiteral("messageId: missing; give one such as DSR-2026-000001.12.1@council.example (without <>)");
    else if (!isMessageId(message.messageId))
        problems << QStringLiteral("messageId: \"%1\" is not left@right of printable ASCII without spaces, <> or line breaks")
                        .arg(message.messageId.left(300));
    if (!message.idempotencyKey.isEmpty()
        && (message.idempotencyKey.size() > 250 || !printableAscii(message.idempotencyKey)
            || message.idempotencyKey.contains(u' ')))
        problems << QStringLiteral("idempotencyKey: \"%1\" must be printable ASCII without spaces, at most 250 characters")
                        .arg(message.idempotencyKey.left(300));
    static const QRegularExpression mediaType(
        QStringLiteral("^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}$"));
    for (qsizetype i = 0; i < message.attachments.size(); ++i) {
        const MailAttachment &attachment = message.attachments.at(i);
        const QString field = QStringLiteral("attachments[%1]").arg(i);
        if (attachment.fileName.isEmpty())
            problems << QStringLiteral("%1.fileName: empty; every attachment needs a name").arg(field);
        checkHeaderText(problems, field + QStringLiteral(".fileName"), attachment.fileName);
        if (!attachment.mediaType.isEmpty() && !mediaType.match(attachment.mediaType).hasMatch())
            problems << QStringLiteral("%1.mediaType: \"%2\" is not type/subtype such as application/pdf")
                            .arg(field, attachment.mediaType.left(300));
    }
    return problems;
}

} // namespace

QByteArray encodedWord(const QString &text)
{
    if (!needsEncoding(text))
        return text.toLatin1();
    return encodedWords(text).join("\r\n ");
}

QByteArray rfc5322Date(const QDateTime &date)
{
    // A zone offset in seconds that is not whole minutes (historic local mean
    // time) has no numeric form: such a date is written in UTC.
    const QDateTime written = date.offsetFromUtc() % 60 == 0 ? date : date.toUTC();
    const int offset = written.offsetFromUtc() / 60;
    const QByteArray zone = (offset < 0 ? "-" : "+") + QByteArray::number(qAbs(offset) / 60).rightJustified(2, '0')
        + QByteArray::number(qAbs(offset) % 60).rightJustified(2, '0');
    // The C locale: day and month names in English, whatever the machine's locale.
    return QLocale::c().toString(written, QStringLiteral("ddd, dd MMM yyyy HH:mm:ss")).toLatin1() + ' ' + zone;
}

Result<QByteArray> MimeWriter::render(const MailMessage &message)
{
    const QStringList problems = problemsOf(message);
    if (problems.size() == 1)
        return makeError(ErrorCode::Invalid, QStringLiteral("The e-mail cannot be written: %1").arg(problems.first()));
    if (!problems.isEmpty())
        return makeError(
            ErrorCode::Invalid, QStringLiteral("The e-mail cannot be written: %1 problems").arg(problems.size()), problems);

    Entity content = textEntity("plain", message.text);
    if (!message.html.trimmed().isEmpty())
        content = multipartEntity("alternative", "alt", {content, textEntity("html", message.html)});
    if (!message.attachments.isEmpty()) {
        QList<Entity> parts {content};
        for (const MailAttachment &attachment : message.attachments)
            parts << attachmentEntity(attachment);
        content = multipartEntity("mixed", "mix", parts);
    }

    QByteArray out;
    out += header("Date", {rfc5322Date(message.date)});
    out += mailboxListHeader("From", {message.from});
    if (!message.replyTo.address.isEmpty())
        out += mailboxListHeader("Reply-To", {message.replyTo});
    out += mailboxListHeader("To", message.to);
    out += header("Subject", unstructuredTokens(message.subject));
    out += header("Message-ID", {'<' + message.messageId.toLatin1() + '>'});
    if (!message.idempotencyKey.isEmpty())
        out += header("X-Rightsflow-Idempotency-Key", {message.idempotencyKey.toLatin1()});
    // RFC 3834: notices are sent by the engine, not typed by a person, so that
    // well-behaved responders do not answer them with holiday replies.
    out += "Auto-Submitted: auto-generated\r\n";
    out += "MIME-Version: 1.0\r\n";
    out += content.headers;
    out += "\r\n";
    out += content.body;
    return out;
}

} // namespace rf
