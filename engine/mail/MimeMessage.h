// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/Result.h"

#include <QByteArray>
#include <QDateTime>
#include <QList>
#include <QString>

namespace rf {

// A mailbox: "Margaret Ellis <m.ellis@example.org>".
struct MailAddress {
    QString name; // may be empty or non-ASCII
    QString address; // as EmailAddress takes it; an internationalised domain goes out in its IDNA form
};

struct MailAttachment {
    QString fileName; // any Unicode name: written with RFC 2231 (and an RFC 2047 name= for old readers)
    QString mediaType; // e.g. "application/zip"; empty: application/octet-stream
    QByteArray content;
};

// One e-mail as Rightsflow sends it: a plain-text body and its HTML
// alternative, and attachments.
struct MailMessage {
    MailAddress from;
    QList<MailAddress> to;
    MailAddress replyTo; // optional
    QString subject;
    QString text; // required
    QString html; // optional: without it (or when blank) the body is text/plain alone
    QList<MailAttachment> attachments;
    QDateTime date;
    QString messageId; // required, without angle brackets, e.g. "DSR-2026-000001.12.1@rightsflow.example-council.gov.uk"
    QString idempotencyKey; // written as X-Rightsflow-Idempotency-Key (omitted when empty)
};

// Writes a MailMessage as an Internet message (RFC 5322 with MIME, RFC 2045-2049).
// The body is as simple as the message allows: text/plain alone; with HTML,
// multipart/alternative (text/plain, then text/html); with attachments,
// multipart/mixed holding that and the attachments (base64, named with RFC 2231
// filename* and an RFC 2047 name= for old readers). Text parts are UTF-8,
// quoted-printable, and always end with a line break. Headers: Date, From,
// Reply-To (when given), To, Subject, Message-ID, X-Rightsflow-Idempotency-Key
// (when given), Auto-Submitted: auto-generated (RFC 3834), MIME-Version;
// non-ASCII header text as RFC 2047 encoded words, folded at 78 columns. CRLF
// line ends and no line over 998 octets. Deterministic: the MIME boundaries are
// a digest of the parts, so the same message gives the same bytes.
//
// Invalid, naming each field: no recipient; an address EmailAddress refuses
// (the rule intake files addresses by); a line break or control character in the subject, a
// name or a file name (header injection); empty text; an invalid date; a
// missing or malformed messageId; an idempotency key or media type that cannot
// be a header value.
class MimeWriter
{
public:
    [[nodiscard]] static Result<QByteArray> render(const MailMessage &message);
};

// Header text per RFC 2047: `text` as it is when it is printable ASCII (and
// holds no "=?"), else UTF-8 "B" encoded words of at most 66 characters,
// folded (CRLF SP) between words. Shared with the plain .eml renderer.
[[nodiscard]] QByteArray encodedWord(const QString &text);

// An RFC 5322 Date value, "Mon, 02 Mar 2026 09:00:00 +0000": English names
// whatever the locale, and `date`'s own offset from UTC.
[[nodiscard]] QByteArray rfc5322Date(const QDateTime &date);

} // namespace rf
