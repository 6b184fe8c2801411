// SPDX-License-Identifier: GPL-3.0-or-later
#include "mail/SmtpClient.h"

#include "core/EmailAddress.h"
#include "core/Logging.h"

#include <QCryptographicHash>
#include <QDeadlineTimer>
#include <QHostAddress>
#include <QLoggingCategory>
#include <QRegularExpression>
#include <QSslCertificate>
#include <QSslCipher>
#include <QSslConfiguration>
#include <QSslError>
#include <QSslSocket>
#include <QSysInfo>
#include <QUrl>
#include <QUrlQuery>

#include <optional>

namespace rf {

namespace {

constexpr int kDefaultTimeoutSeconds = 30;
constexpr int kMaxTimeoutSeconds = 3600;
constexpr quint16 kSmtpPort = 25;
constexpr quint16 kSmtpsPort = 465;
// RFC 5321 allows 512 octets a reply line; a server sending far more without
// a line end is broken or hostile, and must not make us buffer without end.
constexpr qint64 kMaxReplyLine = 8192;
constexpr int kMaxReplyLines = 200;
// DATA goes out in pieces of this size: the dot-stuffed copy of a large
// attachment is never held whole beside the original.
constexpr qsizetype kDataChunk = qsizetype(64) * 1024;

const QStringList kOptions {
    QStringLiteral("starttls"),
    QStringLiteral("allow-self-signed"),
    QStringLiteral("pin"),
    QStringLiteral("timeout"),
    QStringLiteral("helo"),
    QStringLiteral("auth-in-clear"),
};

// The one value of auth-in-clear that lets the password cross an unencrypted
// session: words nobody writes by accident or copies from an example without
// reading them.
const QString kAuthInClearConsent = QStringLiteral("yes-i-know");

Error urlError(const QString &message)
{
    return makeError(ErrorCode::Invalid, QStringLiteral("the mail relay URL %1").arg(message));
}

bool isValidHeloName(const QString &name)
{
    static const QRegularExpression domain(
        QStringLiteral("^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*$"));
    static const QRegularExpression literal(QStringLiteral("^\\[(?:IPv6:[0-9A-Fa-f:.]+|[0-9.]+)\\]$"));
    return name.size() <= 255 && (domain.match(name).hasMatch() || literal.match(name).hasMatch());
}

// The port as written, checked before QUrl, which only says "invalid" (and
// whose own message would repeat the URL, password and all).
std::optional<QString> portProblem(const QString &url)
{
    static const QRegularExpression authority(
        QStringLiteral("^[A-Za-z][A-Za-z0-9+.-]*://(?:[^@/?#]*@)?(?:\\[[^\\]/?#]*\\]|[^:/?#\\[\\]]*)(?::([^/?#]*))?"));
    const QRegularExpressionMatch match = authority.match(url);
    if (!match.hasMatch() || !match.hasCaptured(1))
        return std::nullopt;
    const QString port = match.captured(1);
    bool ok = false;
    const uint value = port.toUInt(&ok);
    static const QRegularExpression digits(QStringLiteral("^[0-9]{1,5}$"));
    if (!digits.match(port).hasMatch() || !ok || value < 1 || value > 65535)
        return QStringLiteral("has a port that is not a number from 1 to 65535");
    return std::nullopt;
}

// Accepts the digest as sha256:HEX, with or without the colons that
// `openssl x509 -fingerprint -sha256` prints between the bytes.
std::optional<QByteArray> parsePin(const QString &value)
{
    if (!value.startsWith(QLatin1String("sha256:"), Qt::CaseInsensitive))
        return std::nullopt;
    QString hex = value.mid(7);
    hex.remove(QLatin1Char(':'));
    static const QRegularExpression hexDigits(QStringLiteral("^[0-9A-Fa-f]{64}$"));
    if (!hexDigits.match(hex).hasMatch())
        return std::nullopt;
    return QByteArray::fromHex(hex.toLatin1());
}

QString digestText(const QByteArray &digest)
{
    return QString::fromLatin1(digest.toHex());
}

QString tlsName(SmtpSettings::Tls tls)
{
    switch (tls) {
    case SmtpSettings::Tls::None:
        return QStringLiteral("none");
    case SmtpSettings::Tls::StartTlsOptional:
        return QStringLiteral("optional");
    case SmtpSettings::Tls::StartTlsRequired:
        return QStringLiteral("required");
    case SmtpSettings::Tls::Implicit:
        break;
    }
    return QStringLiteral("implicit");
}

} // namespace

Result<SmtpSettings> SmtpSettings::fromUrl(const QString &url)
{
    // No message here repeats the URL: it may carry the relay's password.
    static const QString expected = QStringLiteral(
        "; expected smtp://HOST[:PORT][?starttls=required|optional|none] or smtps://[USER[:PASSWORD]@]HOST[:PORT]");
    const QString trimmed = url.trimmed();
    if (!trimmed.startsWith(QLatin1String("smtp://"), Qt::CaseInsensitive)
        && !trimmed.startsWith(QLatin1String("smtps://"), Qt::CaseInsensitive))
        return urlError(QStringLiteral("must start with smtp:// or smtps://") + expected);
    if (const auto problem = portProblem(trimmed))
        return urlError(*problem);
    const QUrl parsed(trimmed, QUrl::StrictMode);
    if (!parsed.isValid())
        return urlError(QStringLiteral("is not a valid URL (a character in the user name or password may need "
                                       "percent-encoding, e.g. @ as %40)")
            + expected);

    SmtpSettings settings;
    const bool implicitTls = parsed.scheme().compare(QLatin1String("smtps"), Qt::CaseInsensitive) == 0;
    // Encrypted unless the administrator says otherwise: an attacker on the
    // path can strip an optional STARTTLS, and notices carry personal data.
    settings.tls = implicitTls ? Tls::Implicit : Tls::StartTlsRequired;
    settings.host = parsed.host(QUrl::FullyDecoded);
    if (settings.host.isEmpty())
        return urlError(QStringLiteral("names no host") + expected);
    settings.port = parsed.port() == -1 ? (implicitTls ? kSmtpsPort : kSmtpPort) : quint16(parsed.port());
    settings.user = parsed.userName(QUrl::FullyDecoded);
    settings.password = parsed.password(QUrl::FullyDecoded);
    if (settings.user.isEmpty() && !settings.password.isEmpty())
        return urlError(QStringLiteral("has a password but no user name; write USER:PASSWORD@HOST"));
    const QString path = parsed.path(QUrl::FullyDecoded);
    if (!path.isEmpty() && path != QLatin1String("/"))
        return urlError(QStringLiteral("has a path after the host; a relay URL has none") + expected);
    if (parsed.hasFragment())
        return urlError(QStringLiteral("has a '#' fragment; remove it"));

    const QUrlQuery query(parsed);
    QStringList seen;
    for (const auto &[key, value] : query.queryItems(QUrl::FullyDecoded)) {
        if (!kOptions.contains(key))
            return urlError(
                QStringLiteral("has an unknown option '%1'; allowed: %2").arg(key, kOptions.join(QStringLiteral(", "))));
        if (seen.contains(key))
            return urlError(QStringLiteral("gives the option '%1' twice").arg(key));
        seen << key;
        if (key == QLatin1String("starttls")) {
            if (implicitTls)
                return urlError(QStringLiteral("has starttls=%1 with smtps://, which uses TLS from the first byte; "
                                               "remove the option or use smtp://")
                                    .arg(value));
            if (value == QLatin1String("required"))
                settings.tls = Tls::StartTlsRequired;
            else if (value == QLatin1String("optional"))
                settings.tls = Tls::StartTlsOptional;
            else if (value == QLatin1String("none"))
                settings.tls = Tls::None;
            else
                return urlError(QStringLiteral("has starttls='%1'; use required, optional or none").arg(value));
        } else if (key == QLatin1String("allow-self-signed")) {
            if (value == QLatin1String("true"))
                settings.allowSelfSigned = true;
            else if (value == QLatin1String("false"))
                settings.allowSelfSigned = false;
            else
                return urlError(QStringLiteral("has allow-self-signed='%1'; use true or false").arg(value));
        } else if (key == QLatin1String("pin")) {
            const auto pin = parsePin(value);
            if (!pin)
                return urlError(QStringLiteral("has a pin that is not sha256: followed by the 64 hex digits of the relay "
                                               "certificate's SHA-256 digest (as `openssl x509 -noout -fingerprint "
                                               "-sha256` prints it, colons allowed)"));
            settings.pinnedSha256 = *pin;
        } else if (key == QLatin1String("timeout")) {
            bool ok = false;
            const int seconds = value.toInt(&ok);
            if (!ok || seconds < 1 || seconds > kMaxTimeoutSeconds)
                return urlError(
                    QStringLiteral("has timeout='%1'; give whole seconds from 1 to %2").arg(value).arg(kMaxTimeoutSeconds));
            settings.timeoutSeconds = seconds;
        } else if (key == QLatin1String("helo")) {
            if (!isValidHeloName(value))
                return urlError(QStringLiteral("has helo='%1', which is neither a host name nor an address literal such "
                                               "as [192.0.2.1]")
                                    .arg(value));
            settings.heloName = value;
        } else if (key == QLatin1String("auth-in-clear")) {
            if (value != kAuthInClearConsent)
                return urlError(QStringLiteral("has auth-in-clear='%1'; the only value is %2, and only for a relay the "
                                               "password may reach unencrypted (remove the option otherwise)")
                                    .arg(value, kAuthInClearConsent));
            settings.authInClear = true;
        }
    }
    // A user with starttls=none can only ever send the password in clear:
    // say so now rather than at the first notice.
    if (settings.tls == Tls::None && !settings.user.isEmpty() && !settings.authInClear)
        return urlError(QStringLiteral("has a user and starttls=none, so the relay password would cross the network "
                                       "unencrypted; use starttls=required or smtps://, or, only if nobody can overhear "
                                       "the path to the relay, add auth-in-clear=%1")
                            .arg(kAuthInClearConsent));
    return settings;
}

QString SmtpSettings::describe() const
{
    // A URL that fromUrl() reads back to the same settings, less the password.
    QUrl url;
    url.setScheme(tls == Tls::Implicit ? QStringLiteral("smtps") : QStringLiteral("smtp"));
    url.setHost(host);
    url.setPort(port);
    url.setUserName(user);
    QUrlQuery query;
    if (tls != Tls::Implicit && tls != Tls::StartTlsRequired)
        query.addQueryItem(QStringLiteral("starttls"), tlsName(tls));
    if (allowSelfSigned)
        query.addQueryItem(QStringLiteral("allow-self-signed"), QStringLiteral("true"));
    if (!pinnedSha256.isEmpty())
        query.addQueryItem(QStringLiteral("pin"), QStringLiteral("sha256:") + digestText(pinnedSha256));
    if (timeoutSeconds != kDefaultTimeoutSeconds)
        query.addQueryItem(QStringLiteral("timeout"), QString::number(timeoutSeconds));
    if (!heloName.isEmpty())
        query.addQueryItem(QStringLiteral("helo"), heloName);
    if (authInClear)
        query.addQueryItem(QStringLiteral("auth-in-clear"), kAuthInClearConsent);
    if (!query.isEmpty())
        url.setQuery(query);
    return url.toString(QUrl::FullyEncoded);
}

namespace {

struct Reply {
    int code = 0;
    QStringList lines; // the text of each line, without the code

    [[nodiscard]] QString text() const
    {
        return QString::number(code) + QLatin1Char(' ') + lines.join(QLatin1Char(' ')).trimmed();
    }
};

// What EHLO said the server can do.
struct Capabilities {
    bool startTls = false;
    bool eightBitMime = false;
    bool smtpUtf8 = false;
    bool size = false;
    qint64 sizeLimit = 0; // 0: no fixed limit
    QStringList auth; // mechanisms, upper case

    static Capabilities fromEhlo(const Reply &reply)
    {
        Capabilities capabilities;
        // The first line is the server's name; each further line one extension.
        for (qsizetype i = 1; i < reply.lines.size(); ++i) {
            const QStringList words = reply.lines.at(i).trimmed().split(QLatin1Char(' '), Qt::SkipEmptyParts);
            if (words.isEmpty())
                continue;
            QString keyword = words.first().toUpper();
            QStringList parameters = words.mid(1);
            // Old servers write "AUTH=PLAIN LOGIN".
            if (keyword.startsWith(QLatin1String("AUTH="))) {
                parameters.prepend(keyword.mid(5));
                keyword = QStringLiteral("AUTH");
            }
            if (keyword == QLatin1String("STARTTLS")) {
                capabilities.startTls = true;
            } else if (keyword == QLatin1String("8BITMIME")) {
                capabilities.eightBitMime = true;
            } else if (keyword == QLatin1String("SMTPUTF8")) {
                capabilities.smtpUtf8 = true;
            } else if (keyword == QLatin1String("SIZE")) {
                capabilities.size = true;
                if (!parameters.isEmpty())
                    capabilities.sizeLimit = qMax<qint64>(0, parameters.first().toLongLong());
            } else if (keyword == QLatin1String("AUTH")) {
                for (const QString &mechanism : std::as_const(parameters))
                    if (!capabilities.auth.contains(mechanism.toUpper()))
                        capabilities.auth << mechanism.toUpper();
            }
        }
        return capabilities;
    }
};

// The message's size as SIZE counts it (RFC 1870): every line ending as
// CRLF and the last line closed, before dot-stuffing.
qint64 sizeOnTheWire(const QByteArray &message)
{
    qint64 size = 0;
    const qsizetype length = message.size();
    for (qsizetype i = 0; i < length; ++i) {
        const char c = message.at(i);
        if (c == '\r' && i + 1 < length && message.at(i + 1) == '\n')
            continue; // counted with its LF
        size += (c == '\r' || c == '\n') ? 2 : 1;
    }
    if (!message.endsWith('\n') && !message.endsWith('\r'))
        size += 2;
    return size;
}

bool isAscii(const QString &text)
{
    for (const QChar c : text)
        if (c.unicode() > 0x7f)
            return false;
    return true;
}

// One conversation with the relay. Each method that can fail returns false
// after recording the outcome that ends the submission in m_failure.
class SmtpSession
{
public:
    explicit SmtpSession(const SmtpSettings &settings)
        : m_settings(settings)
        , m_timeoutMs(qBound(1, settings.timeoutSeconds, kMaxTimeoutSeconds) * 1000)
    {
        if (!m_settings.password.isEmpty()) {
            const QByteArray user = m_settings.user.toUtf8();
            const QByteArray password = m_settings.password.toUtf8();
            // What a reply or a log line must never show: the password as
            // typed and as sent on the wire.
            m_secrets << m_settings.password << QString::fromLatin1(password.toBase64())
                      << QString::fromLatin1(QByteArray('\0' + user + '\0' + password).toBase64())
                      << QString::fromLatin1(QByteArray(user + '\0' + password).toBase64())
                      << QString::fromLatin1(QUrl::toPercentEncoding(m_settings.password));
        }
    }

    SmtpOutcome send(const QString &envelopeFrom, const QStringList &recipients, const QByteArray &message)
    {
        QString from;
        QStringList to;
        if (const auto problem = checkInput(envelopeFrom, recipients, message, &from, &to))
            return *problem;
        if (!connectToRelay() || !greeting() || !hello() || !startTls() || !authenticate() || !transaction(from, to, message)) {
            finish();
            return *m_failure;
        }
        finish();
        return m_sent;
    }

private:
    // --- outcomes ---------------------------------------------------------

    bool fail(SmtpOutcome::Kind kind, const QString &detail, int replyCode = 0)
    {
        m_failure = SmtpOutcome {kind, replyCode, redacted(detail)};
        if (!m_closing)
            qCInfo(lcMail).noquote() << "submission to" << m_settings.describe() << "failed:" << m_failure->detail;
        return false;
    }

    bool failBroken(const QString &detail)
    {
        m_usable = false;
        return fail(SmtpOutcome::Kind::Temporary, detail);
    }

    // A reply other than the one a step expects: 4xx defers, 5xx refuses.
    bool failReply(const Reply &reply, const QString &step)
    {
        if (reply.code >= 400 && reply.code < 500)
            return fail(
                SmtpOutcome::Kind::Temporary, QStringLiteral("the relay deferred %1: %2").arg(step, reply.text()), reply.code);
        if (reply.code >= 500 && reply.code < 600)
            return fail(
                SmtpOutcome::Kind::Permanent, QStringLiteral("the relay refused %1: %2").arg(step, reply.text()), reply.code);
        m_usable = false;
        return fail(SmtpOutcome::Kind::Temporary,
            QStringLiteral("the relay gave an unexpected reply to %1: %2").arg(step, reply.text()), reply.code);
    }

    QString redacted(QString text) const
    {
        for (const QString &secret : m_secrets)
            if (!secret.isEmpty())
                text.replace(secret, QStringLiteral("***"));
        return text;
    }

    QString where() const { return QStringLiteral("%1:%2").arg(m_settings.host).arg(m_settings.port); }

    // --- input ----------------------------------------------------------------

    // The envelope's addresses as they go on the wire (IDNA domains), read by
    // the same rule intake files them by; an empty sender is the null path.
    std::optional<SmtpOutcome> checkInput(const QString &from, const QStringList &recipients, const QByteArray &message,
        QString *asciiFrom, QStringList *asciiRecipients)
    {
        const auto refuse = [](const QString &detail) { return SmtpOutcome {SmtpOutcome::Kind::Permanent, 0, detail}; };
        if (m_settings.host.isEmpty())
            return refuse(QStringLiteral("no mail relay host is configured"));
        if (recipients.isEmpty())
            return refuse(QStringLiteral("the message has no recipient"));
        if (message.isEmpty())
            return refuse(QStringLiteral("the message is empty"));
        if (!from.isEmpty()) {
            const Result<EmailAddress> sender = EmailAddress::parse(from, EmailAddress::Domain::SenderMayBeLocal);
            if (!sender)
                return refuse(QStringLiteral("the sender address: ") + sender.error().message);
            *asciiFrom = sender->ascii();
        }
        for (const QString &recipient : recipients) {
            if (recipient.isEmpty())
                return refuse(QStringLiteral("a recipient address is empty"));
            const Result<EmailAddress> address = EmailAddress::parse(recipient);
            if (!address)
                return refuse(QStringLiteral("the recipient address: ") + address.error().message);
            *asciiRecipients << address->ascii();
        }
        return std::nullopt;
    }

    // --- transport ------------------------------------------------------------

    bool connectToRelay()
    {
        const bool needsTls
            = m_settings.tls == SmtpSettings::Tls::Implicit || m_settings.tls == SmtpSettings::Tls::StartTlsRequired;
        if (needsTls && !QSslSocket::supportsSsl())
            return fail(SmtpOutcome::Kind::Permanent,
                QStringLiteral("the relay %1 needs TLS, but this installation has no TLS support (Qt's OpenSSL TLS "
                               "plugin or the OpenSSL library is missing)")
                    .arg(where()));

        QSslConfiguration configuration = QSslConfiguration::defaultConfiguration();
        configuration.setPeerVerifyMode(QSslSocket::VerifyPeer);
        configuration.setProtocol(QSsl::SecureProtocols);
        m_socket.setSslConfiguration(configuration);
        QObject::connect(
            &m_socket, &QSslSocket::sslErrors, &m_socket, [this](const QList<QSslError> &errors) { onSslErrors(errors); });

        qCDebug(lcMail).noquote() << "connecting to" << m_settings.describe();
        if (m_settings.tls == SmtpSettings::Tls::Implicit)
            m_socket.connectToHostEncrypted(m_settings.host, m_settings.port);
        else
            m_socket.connectToHost(m_settings.host, m_settings.port);
        const QDeadlineTimer deadline(m_timeoutMs);
        if (!m_socket.waitForConnected(remaining(deadline))) {
            m_usable = false;
            if (m_socket.error() == QAbstractSocket::SocketTimeoutError || deadline.hasExpired())
                return fail(SmtpOutcome::Kind::Temporary,
                    QStringLiteral("could not connect to the relay %1 within %2 s (timeout=%2)")
                        .arg(where())
                        .arg(m_settings.timeoutSeconds));
            return fail(SmtpOutcome::Kind::Temporary,
                QStringLiteral("could not connect to the relay %1: %2").arg(where(), m_socket.errorString()));
        }
        if (m_settings.tls == SmtpSettings::Tls::Implicit)
            return waitForHandshake(deadline, QStringLiteral("the TLS handshake"));
        return true;
    }

    static int remaining(const QDeadlineTimer &deadline) { return int(qMax<qint64>(0, deadline.remainingTime())); }

    // Runs inside waitForEncrypted(); errors not ignored here end the handshake.
    void onSslErrors(const QList<QSslError> &errors)
    {
        m_sslErrors = errors;
        m_certificateRefused = true;
        const QSslCertificate peer = m_socket.peerCertificate();
        m_peerDigest = peer.isNull() ? QByteArray() : peer.digest(QCryptographicHash::Sha256);
        if (!m_settings.pinnedSha256.isEmpty()) {
            // The pin names the one certificate to trust: its own issuer, name
            // and dates no longer matter. Any other certificate is refused.
            if (!m_peerDigest.isEmpty() && m_peerDigest == m_settings.pinnedSha256)
                acceptCertificate();
            return;
        }
        if (m_settings.allowSelfSigned) {
            // A self-signed relay certificate (or a private CA's root in its
            // chain) is accepted; a wrong host name or an expired certificate
            // is not: pin the certificate to accept those.
            for (const QSslError &error : errors)
                if (error.error() != QSslError::SelfSignedCertificate && error.error() != QSslError::SelfSignedCertificateInChain)
                    return;
            acceptCertificate();
        }
    }

    void acceptCertificate()
    {
        m_certificateRefused = false;
        m_socket.ignoreSslErrors();
    }

    bool waitForHandshake(const QDeadlineTimer &deadline, const QString &step)
    {
        if (!m_socket.waitForEncrypted(remaining(deadline))) {
            m_usable = false;
            if (m_certificateRefused) {
                QStringList problems;
                for (const QSslError &error : std::as_const(m_sslErrors))
                    problems << error.errorString();
                QString detail = QStringLiteral("the relay %1's TLS certificate was not accepted: %2.")
                                     .arg(where(), problems.join(QStringLiteral("; ")));
                if (!m_settings.pinnedSha256.isEmpty())
                    detail += QStringLiteral(" Its SHA-256 digest is %1, not the pinned %2.")
                                  .arg(digestText(m_peerDigest), digestText(m_settings.pinnedSha256));
                else if (!m_peerDigest.isEmpty())
                    detail += QStringLiteral(" Its SHA-256 digest is %1: once you have checked that this is your relay's "
                                             "certificate, add pin=sha256:%1 to the relay URL (or allow-self-signed=true "
                                             "for a self-signed certificate with the right host name).")
                                  .arg(digestText(m_peerDigest));
                return fail(SmtpOutcome::Kind::Permanent, detail);
            }
            if (m_socket.error() == QAbstractSocket::SslHandshakeFailedError)
                return fail(SmtpOutcome::Kind::Permanent,
                    QStringLiteral("%1 with the relay %2 failed: %3").arg(step, where(), m_socket.errorString()));
            if (deadline.hasExpired() || m_socket.error() == QAbstractSocket::SocketTimeoutError)
                return fail(SmtpOutcome::Kind::Temporary,
                    QStringLiteral("%1 with the relay %2 did not finish within %3 s (timeout=%3)")
                        .arg(step, where())
                        .arg(m_settings.timeoutSeconds));
            return fail(SmtpOutcome::Kind::Temporary,
                QStringLiteral("%1 with the relay %2 failed: %3").arg(step, where(), m_socket.errorString()));
        }
        // Without certificate errors sslErrors() never ran: the pin still
        // has to match a certificate the system CAs vouch for.
        const QByteArray digest = m_socket.peerCertificate().digest(QCryptographicHash::Sha256);
        if (!m_settings.pinnedSha256.isEmpty() && digest != m_settings.pinnedSha256) {
            m_usable = false;
            m_socket.abort();
            return fail(SmtpOutcome::Kind::Permanent,
                QStringLiteral("the relay %1's TLS certificate has the SHA-256 digest %2, not the pinned %3")
                    .arg(where(), digestText(digest), digestText(m_settings.pinnedSha256)));
        }
        m_encrypted = true;
        qCDebug(lcMail).noquote() << "TLS established:" << m_socket.sessionCipher().name();
        return true;
    }

    bool writeAll(const QByteArray &bytes, const QDeadlineTimer &deadline, const QString &step)
    {
        if (m_socket.write(bytes) != bytes.size())
            return failBroken(QStringLiteral("could not send %1 to the relay %2: %3").arg(step, where(), m_socket.errorString()));
        while (m_socket.bytesToWrite() > 0) {
            if (deadline.hasExpired())
                return failBroken(QStringLiteral("the relay %1 did not take %2 within %3 s (timeout=%3)")
                                      .arg(where(), step, QString::number(m_settings.timeoutSeconds)));
            if (!m_socket.waitForBytesWritten(remaining(deadline)) && m_socket.bytesToWrite() > 0) {
                if (m_socket.error() == QAbstractSocket::SocketTimeoutError || deadline.hasExpired())
                    return failBroken(QStringLiteral("the relay %1 did not take %2 within %3 s (timeout=%3)")
                                          .arg(where(), step, QString::number(m_settings.timeoutSeconds)));
                return failBroken(QStringLiteral("the connection to the relay %1 broke while sending %2: %3")
                                      .arg(where(), step, m_socket.errorString()));
            }
        }
        return true;
    }

    // Reads one reply, all its lines ("250-first", "250-second", "250 last").
    bool readReply(Reply &reply, const QDeadlineTimer &deadline, const QString &step)
    {
        reply = Reply {};
        for (;;) {
            while (!m_socket.canReadLine()) {
                if (m_socket.bytesAvailable() > kMaxReplyLine)
                    return failBroken(QStringLiteral("the relay %1 sent a reply line longer than %2 bytes to %3")
                                          .arg(where())
                                          .arg(kMaxReplyLine)
                                          .arg(step));
                if (m_socket.state() != QAbstractSocket::ConnectedState)
                    return failBroken(
                        QStringLiteral("the relay %1 closed the connection waiting for the reply to %2").arg(where(), step));
                if (deadline.hasExpired())
                    return failBroken(QStringLiteral("no reply from the relay %1 within %2 s (timeout=%2) to %3")
                                          .arg(where())
                                          .arg(m_settings.timeoutSeconds)
                                          .arg(step));
                m_socket.waitForReadyRead(remaining(deadline));
            }
            const QByteArray raw = m_socket.readLine(kMaxReplyLine + 1);
            const QString line = QString::fromUtf8(raw).trimmed();
            qCDebug(lcMail).noquote() << "S:" << redacted(line);
            bool codeOk = false;
            const int code = line.left(3).toInt(&codeOk);
            const QChar separator = line.size() > 3 ? line.at(3) : QLatin1Char(' ');
            if (!codeOk || code < 200 || code > 599 || (separator != QLatin1Char(' ') && separator != QLatin1Char('-'))
                || (reply.code != 0 && code != reply.code))
                return failBroken(
                    QStringLiteral("the relay %1 sent a malformed reply to %2: '%3'").arg(where(), step, line.left(200)));
            reply.code = code;
            reply.lines << line.mid(4);
            if (separator == QLatin1Char(' '))
                return true;
            if (reply.lines.size() >= kMaxReplyLines)
                return failBroken(QStringLiteral("the relay %1 sent more than %2 lines in its reply to %3")
                                      .arg(where())
                                      .arg(kMaxReplyLines)
                                      .arg(step));
        }
    }

    // Sends one command line and reads its reply, the whole step bounded by
    // the timeout. `shown` is the command as logs and messages may show it.
    bool command(const QByteArray &line, Reply &reply, const QString &shown = {})
    {
        const QString step = shown.isEmpty() ? QString::fromUtf8(line) : shown;
        qCDebug(lcMail).noquote() << "C:" << step;
        const QDeadlineTimer deadline(m_timeoutMs);
        return writeAll(line + "\r\n", deadline, step) && readReply(reply, deadline, step);
    }

    // --- the dialogue ---------------------------------------------------------

    bool greeting()
    {
        Reply reply;
        if (!readReply(reply, QDeadlineTimer(m_timeoutMs), QStringLiteral("the greeting")))
            return false;
        if (reply.code != 220)
            return failReply(reply, QStringLiteral("the connection (greeting)"));
        return true;
    }

    QByteArray heloName() const
    {
        if (!m_settings.heloName.isEmpty())
            return m_settings.heloName.toUtf8();
        const QString machine = QSysInfo::machineHostName();
        if (isValidHeloName(machine))
            return machine.toUtf8();
        // RFC 5321 4.1.3: without a usable name, the address literal.
        const QHostAddress local = m_socket.localAddress();
        if (local.protocol() == QAbstractSocket::IPv6Protocol)
            return "[IPv6:" + local.toString().toLatin1() + ']';
        return '[' + local.toString().toLatin1() + ']';
    }

    bool hello()
    {
        Reply reply;
        if (!command("EHLO " + heloName(), reply))
            return false;
        if (reply.code == 250) {
            m_capabilities = Capabilities::fromEhlo(reply);
            return true;
        }
        // A server that does not know EHLO says 500 or 502; an old one may
        // still speak plain SMTP (no extensions at all).
        if (reply.code >= 500 && reply.code < 600) {
            Reply helo;
            if (!command("HELO " + heloName(), helo))
                return false;
            if (helo.code != 250)
                return failReply(helo, QStringLiteral("HELO"));
            m_capabilities = Capabilities {};
            return true;
        }
        return failReply(reply, QStringLiteral("EHLO"));
    }

    bool startTls()
    {
        if (m_encrypted || m_settings.tls == SmtpSettings::Tls::None)
            return true;
        const bool required = m_settings.tls == SmtpSettings::Tls::StartTlsRequired;
        if (!m_capabilities.startTls) {
            if (required)
                return fail(SmtpOutcome::Kind::Permanent,
                    QStringLiteral("the relay %1 does not offer STARTTLS, which the relay URL requires (starttls=required)")
                        .arg(where()));
            qCInfo(lcMail).noquote() << "the relay" << where() << "offers no STARTTLS; continuing unencrypted";
            return true;
        }
        if (!QSslSocket::supportsSsl()) {
            qCWarning(lcMail).noquote() << "the relay" << where()
                                        << "offers STARTTLS, but this installation has no TLS "
                                           "support; continuing unencrypted";
            return true;
        }
        Reply reply;
        if (!command("STARTTLS", reply))
            return false;
        if (reply.code != 220) {
            if (required)
                return failReply(reply, QStringLiteral("STARTTLS"));
            qCInfo(lcMail).noquote() << "the relay" << where() << "refused STARTTLS (" << reply.text()
                                     << "); continuing unencrypted";
            return true;
        }
        // Anything already received after the 220 was sent in the clear and
        // could be injected by someone on the path (CVE-2011-0411): refuse.
        if (m_socket.bytesAvailable() > 0)
            return failBroken(QStringLiteral("the relay %1 sent data after agreeing to STARTTLS, before the TLS "
                                             "handshake; refusing the connection")
                                  .arg(where()));
        const QDeadlineTimer deadline(m_timeoutMs);
        m_socket.startClientEncryption();
        if (!waitForHandshake(deadline, QStringLiteral("the STARTTLS handshake")))
            return false;
        // RFC 3207: forget what was learnt in the clear and ask again.
        Reply again;
        if (!command("EHLO " + heloName(), again))
            return false;
        if (again.code != 250)
            return failReply(again, QStringLiteral("EHLO after STARTTLS"));
        m_capabilities = Capabilities::fromEhlo(again);
        return true;
    }

    bool authenticate()
    {
        if (m_settings.user.isEmpty())
            return true;
        // Checked before a single byte of the credentials is written: a relay
        // that offers no STARTTLS (or an attacker who stripped it) never sees
        // the password unless the URL consented in words. Loopback is no
        // exception: a tunnel or a proxy may carry it further.
        if (!m_encrypted && !m_settings.authInClear)
            return fail(SmtpOutcome::Kind::Permanent,
                QStringLiteral("refusing to send the credentials of user '%1' to the relay %2 over an unencrypted "
                               "connection (%3); use smtps:// or starttls=required with a relay that offers STARTTLS, "
                               "or, only if nobody can overhear the path to the relay, add auth-in-clear=%4 to the "
                               "relay URL")
                    .arg(m_settings.user, where(),
                        m_settings.tls == SmtpSettings::Tls::None
                            ? QStringLiteral("starttls=none")
                            : QStringLiteral("the relay did not offer STARTTLS, or refused it"),
                        kAuthInClearConsent));
        const QByteArray user = m_settings.user.toUtf8();
        const QByteArray password = m_settings.password.toUtf8();
        Reply reply;
        if (m_capabilities.auth.contains(QLatin1String("PLAIN"))) {
            const QByteArray response = QByteArray('\0' + user + '\0' + password).toBase64();
            if (!command("AUTH PLAIN " + response, reply, QStringLiteral("AUTH PLAIN")))
                return false;
        } else if (m_capabilities.auth.contains(QLatin1String("LOGIN"))) {
            if (!command("AUTH LOGIN", reply))
                return false;
            if (reply.code == 334) {
                if (!command(user.toBase64(), reply, QStringLiteral("AUTH LOGIN (user name)")))
                    return false;
                if (reply.code == 334 && !command(password.toBase64(), reply, QStringLiteral("AUTH LOGIN (password)")))
                    return false;
            }
        } else {
            QString detail = m_capabilities.auth.isEmpty()
                ? QStringLiteral("the relay %1 offers no authentication (AUTH), but the relay URL has a user").arg(where())
                : QStringLiteral("the relay %1 offers AUTH %2, and Rightsflow speaks only PLAIN and LOGIN")
                      .arg(where(), m_capabilities.auth.join(QLatin1Char(' ')));
            if (!m_encrypted)
                detail += QStringLiteral("; a relay may offer AUTH only after STARTTLS");
            return fail(SmtpOutcome::Kind::Permanent, detail);
        }
        if (reply.code != 235)
            return failReply(reply, QStringLiteral("the credentials of user '%1' (AUTH)").arg(m_settings.user));
        return true;
    }

    bool transaction(const QString &from, const QStringList &recipients, const QByteArray &message)
    {
        const qint64 size = sizeOnTheWire(message);
        if (m_capabilities.sizeLimit > 0 && size > m_capabilities.sizeLimit)
            return fail(SmtpOutcome::Kind::Permanent,
                QStringLiteral("the message is %1 bytes; the relay %2 accepts at most %3 (SIZE)")
                    .arg(size)
                    .arg(where())
                    .arg(m_capabilities.sizeLimit));

        bool utf8Addresses = !isAscii(from);
        for (const QString &recipient : recipients)
            utf8Addresses = utf8Addresses || !isAscii(recipient);
        if (utf8Addresses && !m_capabilities.smtpUtf8)
            return fail(SmtpOutcome::Kind::Permanent,
                QStringLiteral("an envelope address is not ASCII and the relay %1 does not offer SMTPUTF8").arg(where()));

        QByteArray mailFrom = "MAIL FROM:<" + from.toUtf8() + '>';
        if (m_capabilities.size)
            mailFrom += " SIZE=" + QByteArray::number(size);
        if (m_capabilities.eightBitMime)
            mailFrom += " BODY=8BITMIME";
        if (utf8Addresses)
            mailFrom += " SMTPUTF8";
        Reply reply;
        if (!command(mailFrom, reply))
            return false;
        if (reply.code != 250)
            return failReply(reply, QStringLiteral("the sender <%1> (MAIL FROM)").arg(from));
        m_inTransaction = true;

        // One refused recipient ends the whole submission: the outbox retries
        // or parks a message as one, never half-delivered.
        for (const QString &recipient : recipients) {
            if (!command("RCPT TO:<" + recipient.toUtf8() + '>', reply))
                return false;
            if (reply.code != 250 && reply.code != 251)
                return failReply(reply, QStringLiteral("the recipient <%1> (RCPT TO)").arg(recipient));
        }

        if (!command("DATA", reply))
            return false;
        if (reply.code != 354)
            return failReply(reply, QStringLiteral("DATA"));
        if (!sendData(message))
            return false;
        const QString step = QStringLiteral("the end of the message data");
        if (!readReply(reply, QDeadlineTimer(m_timeoutMs), step))
            return false;
        m_inTransaction = false;
        if (reply.code != 250)
            return failReply(reply, QStringLiteral("the message (after DATA)"));
        m_sent = SmtpOutcome {SmtpOutcome::Kind::Sent, reply.code,
            redacted(QStringLiteral("the relay %1 accepted the message: %2").arg(where(), reply.text()))};
        return true;
    }

    // Sends the message in chunks: every line ending as CRLF (a bare CR or
    // LF would let a receiving server see an end of data we did not mean,
    // "SMTP smuggling"), a '.' doubled at the start of a line (RFC 5321
    // 4.5.2), the last line closed, then the lone dot.
    bool sendData(const QByteArray &message)
    {
        const QString step = QStringLiteral("the message data");
        QByteArray chunk;
        chunk.reserve(kDataChunk + 8);
        bool atLineStart = true;
        const char *data = message.constData();
        const qsizetype size = message.size();
        qsizetype i = 0;
        while (i < size) {
            // The rest of the line is copied in one piece.
            qsizetype end = i;
            while (end < size && data[end] != '\r' && data[end] != '\n')
                ++end;
            if (end > i) {
                if (atLineStart && data[i] == '.')
                    chunk += '.';
                chunk.append(data + i, end - i);
                atLineStart = false;
            }
            i = end;
            if (i < size) {
                chunk += "\r\n";
                if (data[i] == '\r' && i + 1 < size && data[i + 1] == '\n')
                    ++i;
                ++i;
                atLineStart = true;
            }
            if (chunk.size() >= kDataChunk) {
                if (!writeAll(chunk, QDeadlineTimer(m_timeoutMs), step))
                    return false;
                chunk.clear();
            }
        }
        if (!atLineStart)
            chunk += "\r\n";
        chunk += ".\r\n";
        qCDebug(lcMail).noquote() << "C: (" << size << "bytes of message data)";
        return writeAll(chunk, QDeadlineTimer(m_timeoutMs), step);
    }

    // Ends politely when the connection still works: RSET for a transaction
    // left open, then QUIT; their replies change nothing.
    void finish()
    {
        if (m_usable && m_socket.state() == QAbstractSocket::ConnectedState) {
            Reply reply;
            const std::optional<SmtpOutcome> failure = m_failure;
            m_closing = true;
            if (m_inTransaction)
                m_usable = command("RSET", reply);
            if (m_usable)
                (void)command("QUIT", reply);
            m_failure = failure; // the polite steps' own troubles are not the outcome
        }
        if (m_socket.state() != QAbstractSocket::UnconnectedState) {
            m_socket.disconnectFromHost();
            if (m_socket.state() != QAbstractSocket::UnconnectedState && !m_socket.waitForDisconnected(1000))
                m_socket.abort();
        }
    }

    const SmtpSettings &m_settings;
    const int m_timeoutMs;
    QStringList m_secrets;
    QSslSocket m_socket;
    QList<QSslError> m_sslErrors;
    bool m_certificateRefused = false;
    QByteArray m_peerDigest;
    Capabilities m_capabilities;
    bool m_encrypted = false;
    bool m_usable = true; // false after a timeout, a dropped connection or a protocol error
    bool m_inTransaction = false;
    bool m_closing = false;
    std::optional<SmtpOutcome> m_failure;
    SmtpOutcome m_sent;
};

} // namespace

SmtpClient::SmtpClient(SmtpSettings settings)
    : m_settings(std::move(settings))
{ }

SmtpOutcome SmtpClient::send(const QString &envelopeFrom, const QStringList &recipients, const QByteArray &message)
{
    SmtpSession session(m_settings);
    return session.send(envelopeFrom, recipients, message);
}

} // namespace rf
