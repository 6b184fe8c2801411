// SPDX-License-Identifier: GPL-3.0-or-later
// SmtpClient against a real SMTP server: aiosmtpd on loopback
// (tests/mail/smtp-server.py), started per test with the behaviour the test
// needs, and recording what it received for the test to compare.

#include "Checks.h"
#include "CliRunner.h"
#include "EmailAddressCases.h"
#include "SmtpServer.h"
#include "mail/MimeMessage.h"
#include "mail/SmtpClient.h"
#include "request/IntakeValidator.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QNetworkInterface>
#include <QProcess>
#include <QSslSocket>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>
#include <QTimeZone>
#include <QUrl>

#include <memory>

using namespace rf;
using rf::test::Received;
using rf::test::SmtpServer;

namespace {

const QString kPython = QStringLiteral("/usr/bin/python3");
const QString kOpenssl = QStringLiteral("/usr/bin/openssl");
const QString kFrom = QStringLiteral("dpo@council.example");
const QString kTo = QStringLiteral("m.ellis@example.org");

QString kindName(SmtpOutcome::Kind kind)
{
    switch (kind) {
    case SmtpOutcome::Kind::Sent:
        return QStringLiteral("Sent");
    case SmtpOutcome::Kind::Temporary:
        return QStringLiteral("Temporary");
    case SmtpOutcome::Kind::Permanent:
        break;
    }
    return QStringLiteral("Permanent");
}

QString show(const SmtpOutcome &outcome)
{
    return QStringLiteral("%1 (%2): %3").arg(kindName(outcome.kind)).arg(outcome.replyCode).arg(outcome.detail);
}

// What the server recorded of one message.
// Parses a relay URL or fails the calling test.
#define SETTINGS(settings, url)                                                                                                  \
    const Result<SmtpSettings> settings##Parsed = SmtpSettings::fromUrl(url);                                                    \
    VERIFY_OK(settings##Parsed);                                                                                                 \
    const SmtpSettings settings = settings##Parsed.value()

QStringList *g_capturedLog = nullptr;

void captureMessage(QtMsgType, const QMessageLogContext &context, const QString &message)
{
    if (g_capturedLog)
        *g_capturedLog << QString::fromLatin1(context.category ? context.category : "") + QLatin1Char(' ') + message;
}

const QByteArray kSimpleMessage = "From: dpo@council.example\r\n"
                                  "To: m.ellis@example.org\r\n"
                                  "Subject: Your request DSR-2026-000001\r\n"
                                  "\r\n"
                                  "We have received your request.\r\n";

} // namespace

class TestSmtp : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_certDir;
    QString m_cert;
    QString m_key;
    QString m_fingerprint; // as openssl prints it: "AB:CD:..."

    QString hex() const { return m_fingerprint.toLower().remove(QLatin1Char(':')); }
    // Writes the relay certificate's digest into {fingerprint} (as openssl
    // prints it) or {hex} (bare lower-case hex).
    QString withPin(QString options) const
    {
        return options.replace(QLatin1String("{fingerprint}"), m_fingerprint).replace(QLatin1String("{hex}"), hex());
    }
    QStringList tlsOptions() const { return {QStringLiteral("--tls-cert"), m_cert, QStringLiteral("--tls-key"), m_key}; }
    static QString local(quint16 port, const QString &scheme = QStringLiteral("smtp"))
    {
        return QStringLiteral("%1://127.0.0.1:%2").arg(scheme).arg(port);
    }

private slots:
    void initTestCase()
    {
        QVERIFY2(QFile::exists(kPython), "the tests need /usr/bin/python3 with aiosmtpd (python3-aiosmtpd)");
        const test::ToolRun probe = test::runTool(kPython, {QStringLiteral("-c"), QStringLiteral("import aiosmtpd")});
        QVERIFY2(probe.exitCode == 0, qPrintable(probe.describe()));
        QVERIFY2(QSslSocket::supportsSsl(), "Qt has no TLS backend (qt6 OpenSSL TLS plugin)");
        QVERIFY(m_certDir.isValid());
        m_cert = m_certDir.filePath(QStringLiteral("relay.crt"));
        m_key = m_certDir.filePath(QStringLiteral("relay.key"));
        const test::ToolRun req = test::runTool(kOpenssl,
            {QStringLiteral("req"), QStringLiteral("-x509"), QStringLiteral("-newkey"), QStringLiteral("rsa:2048"),
                QStringLiteral("-nodes"), QStringLiteral("-subj"), QStringLiteral("/CN=localhost"), QStringLiteral("-addext"),
                QStringLiteral("subjectAltName=IP:127.0.0.1,DNS:localhost"), QStringLiteral("-days"), QStringLiteral("2"),
                QStringLiteral("-keyout"), m_key, QStringLiteral("-out"), m_cert});
        QVERIFY2(req.exitCode == 0, qPrintable(req.describe()));
        const test::ToolRun fingerprint = test::runTool(kOpenssl,
            {QStringLiteral("x509"), QStringLiteral("-in"), m_cert, QStringLiteral("-noout"), QStringLiteral("-fingerprint"),
                QStringLiteral("-sha256")});
        QVERIFY2(fingerprint.exitCode == 0, qPrintable(fingerprint.describe()));
        // "sha256 Fingerprint=AB:CD:..." (OpenSSL 1.1 writes "SHA256").
        m_fingerprint = QString::fromLatin1(fingerprint.out).trimmed().section(QLatin1Char('='), 1);
        QCOMPARE(m_fingerprint.size(), 32 * 3 - 1);
    }

    // --- the relay URL ----------------------------------------------------

    void fromUrl_data()
    {
        QTest::addColumn<QString>("url");
        QTest::addColumn<QString>("host");
        QTest::addColumn<int>("port");
        QTest::addColumn<int>("tls");
        QTest::addColumn<QString>("user");
        QTest::addColumn<QString>("password");
        QTest::addColumn<bool>("allowSelfSigned");
        QTest::addColumn<QString>("pinHex");
        QTest::addColumn<int>("timeout");
        QTest::addColumn<QString>("helo");

        using T = SmtpSettings::Tls;
        const QString pin = QStringLiteral("0d517e3c389af223c189b5146a0da8409f8e82e721a8321488c656729a3c98d4");
        QTest::addRow("defaults") << QStringLiteral("smtp://relay.example") << QStringLiteral("relay.example") << 25
                                  << int(T::StartTlsRequired) << QString() << QString() << false << QString() << 30 << QString();
        QTest::addRow("submission port") << QStringLiteral("smtp://relay.example:587") << QStringLiteral("relay.example") << 587
                                         << int(T::StartTlsRequired) << QString() << QString() << false << QString() << 30
                                         << QString();
        QTest::addRow("starttls optional, asked for")
            << QStringLiteral("smtp://relay.example:25?starttls=optional") << QStringLiteral("relay.example") << 25
            << int(T::StartTlsOptional) << QString() << QString() << false << QString() << 30 << QString();
        QTest::addRow("loopback plain") << QStringLiteral("smtp://127.0.0.1:2525?starttls=none") << QStringLiteral("127.0.0.1")
                                        << 2525 << int(T::None) << QString() << QString() << false << QString() << 30
                                        << QString();
        QTest::addRow("smtps with credentials")
            << QStringLiteral("smtps://user:secret@relay.example:465") << QStringLiteral("relay.example") << 465
            << int(T::Implicit) << QStringLiteral("user") << QStringLiteral("secret") << false << QString() << 30 << QString();
        QTest::addRow("smtps default port") << QStringLiteral("smtps://relay.example") << QStringLiteral("relay.example") << 465
                                            << int(T::Implicit) << QString() << QString() << false << QString() << 30
                                            << QString();
        QTest::addRow("percent-encoded credentials")
            << QStringLiteral("smtp://alice%40council.gov.uk:p%40ss%3Aw%2Frd%25%C3%A9@relay.example:587")
            << QStringLiteral("relay.example") << 587 << int(T::StartTlsRequired) << QStringLiteral("alice@council.gov.uk")
            << QStringLiteral("p@ss:w/rd%\u00e9") << false << QString() << 30 << QString();
        QTest::addRow("every option") << QStringLiteral(
                                             "smtp://relay.example?starttls=required&allow-self-signed=true&pin=sha256:")
                + pin + QStringLiteral("&timeout=5&helo=rightsflow.council.example")
                                      << QStringLiteral("relay.example") << 25 << int(T::StartTlsRequired) << QString()
                                      << QString() << true << pin << 5 << QStringLiteral("rightsflow.council.example");
        QTest::addRow("pin as openssl prints it")
            << QStringLiteral("smtp://relay.example?pin=sha256:0D:51:7E:3C:38:9A:F2:23:C1:89:B5:14:6A:0D:A8:40:9F:8E:82:E7:21:A8:"
                              "32:14:88:C6:56:72:9A:3C:98:D4")
            << QStringLiteral("relay.example") << 25 << int(T::StartTlsRequired) << QString() << QString() << false << pin << 30
            << QString();
        QTest::addRow("upper-case scheme and host")
            << QStringLiteral("SMTP://Relay.Example:26") << QStringLiteral("relay.example") << 26 << int(T::StartTlsRequired)
            << QString() << QString() << false << QString() << 30 << QString();
        QTest::addRow("IPv6 literal") << QStringLiteral("smtp://[::1]:2525?starttls=none") << QStringLiteral("::1") << 2525
                                      << int(T::None) << QString() << QString() << false << QString() << 30 << QString();
        QTest::addRow("address literal helo")
            << QStringLiteral("smtp://relay.example?helo=%5B192.0.2.7%5D") << QStringLiteral("relay.example") << 25
            << int(T::StartTlsRequired) << QString() << QString() << false << QString() << 30 << QStringLiteral("[192.0.2.7]");
    }

    void fromUrl()
    {
        QFETCH(QString, url);
        const Result<SmtpSettings> parsed = SmtpSettings::fromUrl(url);
        VERIFY_OK(parsed);
        const SmtpSettings &settings = parsed.value();
        QTEST(settings.host, "host");
        QTEST(int(settings.port), "port");
        QTEST(int(settings.tls), "tls");
        QTEST(settings.user, "user");
        QTEST(settings.password, "password");
        QTEST(settings.allowSelfSigned, "allowSelfSigned");
        QTEST(QString::fromLatin1(settings.pinnedSha256.toHex()), "pinHex");
        QTEST(settings.timeoutSeconds, "timeout");
        QTEST(settings.heloName, "helo");
    }

    void fromUrlRefuses_data()
    {
        QTest::addColumn<QString>("url");
        QTest::addColumn<QString>("mentions");

        QTest::addRow("other scheme") << QStringLiteral("http://relay.example") << QStringLiteral("smtp://");
        QTest::addRow("no scheme") << QStringLiteral("relay.example:25") << QStringLiteral("smtp://");
        QTest::addRow("unknown option") << QStringLiteral("smtp://relay.example?sttarttls=required")
                                        << QStringLiteral("unknown option 'sttarttls'");
        QTest::addRow("option twice") << QStringLiteral("smtp://relay.example?timeout=5&timeout=6") << QStringLiteral("twice");
        QTest::addRow("port too big") << QStringLiteral("smtp://relay.example:99999") << QStringLiteral("port");
        QTest::addRow("port zero") << QStringLiteral("smtp://relay.example:0") << QStringLiteral("port");
        QTest::addRow("port not a number") << QStringLiteral("smtp://relay.example:smtp") << QStringLiteral("port");
        QTest::addRow("bad port with password")
            << QStringLiteral("smtp://user:s3cret@relay.example:70000") << QStringLiteral("port");
        QTest::addRow("pin too short") << QStringLiteral("smtp://relay.example?pin=sha256:abcd") << QStringLiteral("pin");
        QTest::addRow("pin not hex") << QStringLiteral("smtp://relay.example?pin=sha256:") + QString(64, QLatin1Char('z'))
                                     << QStringLiteral("pin");
        QTest::addRow("pin other digest") << QStringLiteral("smtp://relay.example?pin=sha1:") + QString(40, QLatin1Char('a'))
                                          << QStringLiteral("pin");
        QTest::addRow("starttls unknown") << QStringLiteral("smtp://relay.example?starttls=maybe")
                                          << QStringLiteral("starttls='maybe'");
        QTest::addRow("starttls with smtps")
            << QStringLiteral("smtps://relay.example?starttls=required") << QStringLiteral("smtps://");
        QTest::addRow("allow-self-signed yes")
            << QStringLiteral("smtp://relay.example?allow-self-signed=yes") << QStringLiteral("allow-self-signed");
        QTest::addRow("timeout zero") << QStringLiteral("smtp://relay.example?timeout=0") << QStringLiteral("timeout");
        QTest::addRow("timeout words") << QStringLiteral("smtp://relay.example?timeout=soon") << QStringLiteral("timeout");
        QTest::addRow("helo with space") << QStringLiteral("smtp://relay.example?helo=a%20b") << QStringLiteral("helo");
        QTest::addRow("no host") << QStringLiteral("smtp:///") << QStringLiteral("host");
        QTest::addRow("path") << QStringLiteral("smtp://relay.example/mail") << QStringLiteral("path");
        QTest::addRow("password without user") << QStringLiteral("smtp://:s3cret@relay.example") << QStringLiteral("user name");
        QTest::addRow("unencoded @ in password")
            << QStringLiteral("smtp://user:s3cr@t@relay.example") << QStringLiteral("percent-encoding");
        // A user without encryption: only ever with the consent in words.
        QTest::addRow("user with starttls=none")
            << QStringLiteral("smtp://user:s3cret@127.0.0.1:2525?starttls=none") << QStringLiteral("auth-in-clear=yes-i-know");
        QTest::addRow("auth-in-clear=yes") << QStringLiteral("smtp://user:s3cret@127.0.0.1:2525?starttls=none&auth-in-clear=yes")
                                           << QStringLiteral("the only value is yes-i-know");
        QTest::addRow("auth-in-clear=true") << QStringLiteral(
            "smtp://user:s3cret@relay.example?starttls=optional&auth-in-clear=true")
                                            << QStringLiteral("auth-in-clear='true'");
    }

    void fromUrlRefuses()
    {
        QFETCH(QString, url);
        QFETCH(QString, mentions);
        const Result<SmtpSettings> parsed = SmtpSettings::fromUrl(url);
        QVERIFY2(!parsed.ok(), qPrintable(QStringLiteral("accepted as ") + (parsed.ok() ? parsed->describe() : QString())));
        const QString message = parsed.error().fullText();
        QCOMPARE(parsed.error().code, ErrorCode::Invalid);
        QVERIFY2(message.contains(mentions), qPrintable(message));
        QVERIFY2(!message.contains(QLatin1String("s3cr")), qPrintable(message));
    }

    void describe_data()
    {
        QTest::addColumn<QString>("url");
        QTest::addColumn<QString>("described");
        QTest::addColumn<QString>("password");

        QTest::addRow("smtps with credentials") << QStringLiteral("smtps://user:secret@relay.example:465")
                                                << QStringLiteral("smtps://user@relay.example:465") << QStringLiteral("secret");
        QTest::addRow("defaults written out")
            << QStringLiteral("smtp://relay.example") << QStringLiteral("smtp://relay.example:25") << QString();
        QTest::addRow("options kept")
            << QStringLiteral(
                   "smtp://alice%40council.gov.uk:Tr0ub4dor%263@relay.example:587?timeout=5&starttls=required&pin=sha256:")
                + QString(64, QLatin1Char('A')) + QStringLiteral("&allow-self-signed=true&helo=rf.example")
            << QStringLiteral("smtp://alice%40council.gov.uk@relay.example:587?allow-self-signed=true&pin=sha256:")
                + QString(64, QLatin1Char('a')) + QStringLiteral("&timeout=5&helo=rf.example")
            << QStringLiteral("Tr0ub4dor&3");
        QTest::addRow("plain loopback") << QStringLiteral("smtp://127.0.0.1:2525?starttls=none")
                                        << QStringLiteral("smtp://127.0.0.1:2525?starttls=none") << QString();
        QTest::addRow("auth in clear, consented")
            << QStringLiteral("smtp://clerk:pw@127.0.0.1:2525?auth-in-clear=yes-i-know&starttls=none")
            << QStringLiteral("smtp://clerk@127.0.0.1:2525?starttls=none&auth-in-clear=yes-i-know") << QStringLiteral("pw");
        QTest::addRow("IPv6") << QStringLiteral("smtp://[::1]:2525") << QStringLiteral("smtp://[::1]:2525") << QString();
    }

    void describe()
    {
        QFETCH(QString, url);
        QFETCH(QString, described);
        QFETCH(QString, password);
        SETTINGS(settings, url);
        QCOMPARE(settings.describe(), described);
        if (!password.isEmpty()) {
            QVERIFY(!settings.describe().contains(password));
            QVERIFY(!settings.describe().contains(QString::fromLatin1(QUrl::toPercentEncoding(password))));
        }
        // What describe() writes reads back as the same settings, less the password.
        SETTINGS(again, settings.describe());
        QCOMPARE(again.host, settings.host);
        QCOMPARE(again.port, settings.port);
        QCOMPARE(again.tls, settings.tls);
        QCOMPARE(again.user, settings.user);
        QCOMPARE(again.password, QString());
        QCOMPARE(again.allowSelfSigned, settings.allowSelfSigned);
        QCOMPARE(again.pinnedSha256, settings.pinnedSha256);
        QCOMPARE(again.timeoutSeconds, settings.timeoutSeconds);
        QCOMPARE(again.heloName, settings.heloName);
        QCOMPARE(again.authInClear, settings.authInClear);
    }

    // --- delivery ---------------------------------------------------------

    void delivery_data()
    {
        QTest::addColumn<QByteArray>("message");
        QTest::addColumn<QByteArray>("expected"); // as the server has it after un-dot-stuffing
        QTest::addColumn<QStringList>("recipients");

        QTest::addRow("simple") << kSimpleMessage << kSimpleMessage << QStringList {kTo};
        const QByteArray dots = "Subject: dots\r\n"
                                "\r\n"
                                ".\r\n"
                                "..\r\n"
                                ".leading dot\r\n"
                                "a line with a . in it\r\n"
                                ". \r\n"
                                "\r\n"
                                ".\r\n"
                                "end\r\n";
        QTest::addRow("lines starting with dots") << dots << dots << QStringList {kTo};
        QTest::addRow("last line without CRLF") << QByteArray("Subject: open\r\n\r\nno line end.")
                                                << QByteArray("Subject: open\r\n\r\nno line end.\r\n") << QStringList {kTo};
        QTest::addRow("ends in a dot line without CRLF") << QByteArray("Subject: open\r\n\r\ntext\r\n.")
                                                         << QByteArray("Subject: open\r\n\r\ntext\r\n.\r\n") << QStringList {kTo};
        const QByteArray utf8 = QStringLiteral("Subject: =?UTF-8?Q?Gr=C3=BC=C3=9Fe?=\r\n"
                                               "Content-Type: text/plain; charset=UTF-8\r\n"
                                               "Content-Transfer-Encoding: 8bit\r\n"
                                               "\r\n"
                                               "Grüße aus Llanfairpwllgwyngyll — £20 fee waived, ½ done ✓\r\n"
                                               ".Ünïcödé at the start of a line\r\n")
                                    .toUtf8();
        QTest::addRow("8-bit UTF-8 body") << utf8 << utf8 << QStringList {kTo};
        // Bare line ends become CRLF, so that no server sees an end of data
        // in "\n.\n" (SMTP smuggling) and the dot is stuffed as on any line.
        QTest::addRow("bare LF and CR") << QByteArray("Subject: bare\n\nline one\n.\nline three\rline four\r\n")
                                        << QByteArray("Subject: bare\r\n\r\nline one\r\n.\r\nline three\r\nline four\r\n")
                                        << QStringList {kTo};
        QByteArray large = "Subject: large\r\n\r\n";
        for (int i = 0; large.size() < qsizetype(600) * 1024; ++i)
            large
                += (i % 7 == 0 ? QByteArray(".") : QByteArray()) + QByteArray::number(i) + ' ' + QByteArray(i % 90, 'x') + "\r\n";
        QTest::addRow("larger than a chunk, dots across chunk ends") << large << large << QStringList {kTo};
        QTest::addRow("three recipients") << kSimpleMessage << kSimpleMessage
                                          << QStringList {kTo, QStringLiteral("casework@council.example"),
                                                 QStringLiteral("archive@council.example")};
    }

    void delivery()
    {
        QFETCH(QByteArray, message);
        QFETCH(QByteArray, expected);
        QFETCH(QStringList, recipients);
        START_SERVER(server, {});
        SETTINGS(settings, local(server.port()) + QStringLiteral("?starttls=none&helo=rightsflow.test"));

        const SmtpOutcome outcome = SmtpClient(settings).send(kFrom, recipients, message);
        QVERIFY2(outcome.kind == SmtpOutcome::Kind::Sent, qPrintable(show(outcome)));
        QCOMPARE(outcome.replyCode, 250);
        QVERIFY2(outcome.detail.contains(QLatin1String("queued as test-0001")), qPrintable(outcome.detail));

        const QList<Received> received = server.received();
        QCOMPARE(received.size(), 1);
        QCOMPARE(received[0].data, expected);
        QCOMPARE(received[0].envelope[QLatin1String("mail_from")].toString(), kFrom);
        QCOMPARE(received[0].envelope[QLatin1String("rcpt_tos")].toVariant().toStringList(), recipients);
        QCOMPARE(received[0].envelope[QLatin1String("helo")].toString(), QStringLiteral("rightsflow.test"));
        QCOMPARE(received[0].envelope[QLatin1String("tls")].toBool(), false);
        const QStringList options = received[0].envelope[QLatin1String("mail_options")].toVariant().toStringList();
        QVERIFY2(options.contains(QLatin1String("BODY=8BITMIME")), qPrintable(options.join(QLatin1Char(' '))));
        QVERIFY2(options.contains(QStringLiteral("SIZE=%1").arg(expected.size())), qPrintable(options.join(QLatin1Char(' '))));
    }

    // --- TLS --------------------------------------------------------------

    void startTls_data()
    {
        QTest::addColumn<bool>("serverRequires");
        QTest::addColumn<QString>("options");

        QTest::addRow("required, self-signed allowed") << true << QStringLiteral("starttls=required&allow-self-signed=true");
        QTest::addRow("the default (required) uses it") << false << QStringLiteral("allow-self-signed=true");
        QTest::addRow("optional uses it when offered") << false << QStringLiteral("starttls=optional&allow-self-signed=true");
        QTest::addRow("pinned, as openssl prints it") << true << QStringLiteral("starttls=required&pin=sha256:{fingerprint}");
        QTest::addRow("pinned, plain hex") << false << QStringLiteral("starttls=required&pin=sha256:{hex}");
    }

    void startTls()
    {
        QFETCH(bool, serverRequires);
        QFETCH(QString, options);
        START_SERVER(
            server, tlsOptions() + (serverRequires ? QStringList {QStringLiteral("--require-starttls")} : QStringList()));
        SETTINGS(settings, local(server.port()) + QLatin1Char('?') + withPin(options));

        const SmtpOutcome outcome = SmtpClient(settings).send(kFrom, {kTo}, kSimpleMessage);
        QVERIFY2(outcome.kind == SmtpOutcome::Kind::Sent, qPrintable(show(outcome)));
        const QList<Received> received = server.received();
        QCOMPARE(received.size(), 1);
        QCOMPARE(received[0].data, kSimpleMessage);
        QVERIFY(received[0].envelope[QLatin1String("tls")].toBool());
        QVERIFY(received[0].envelope[QLatin1String("starttls")].toBool());
    }

    void certificateRefused_data()
    {
        QTest::addColumn<QString>("options");
        QTest::addColumn<QString>("mentions");

        QTest::addRow("self-signed, not allowed") << QStringLiteral("starttls=required") << QStringLiteral("self-signed");
        QTest::addRow("self-signed, STARTTLS optional") << QString() << QStringLiteral("self-signed");
        QTest::addRow("wrong pin") << QStringLiteral("pin=sha256:") + QString(64, QLatin1Char('0'))
                                   << QStringLiteral("not the pinned 0000");
    }

    void certificateRefused()
    {
        QFETCH(QString, options);
        QFETCH(QString, mentions);
        START_SERVER(server, tlsOptions());
        SETTINGS(settings, local(server.port()) + QLatin1Char('?') + options);

        const SmtpOutcome outcome = SmtpClient(settings).send(kFrom, {kTo}, kSimpleMessage);
        QVERIFY2(outcome.kind == SmtpOutcome::Kind::Permanent, qPrintable(show(outcome)));
        QCOMPARE(outcome.replyCode, 0);
        QVERIFY2(outcome.detail.contains(QLatin1String("certificate")), qPrintable(outcome.detail));
        QVERIFY2(outcome.detail.contains(mentions, Qt::CaseInsensitive), qPrintable(outcome.detail));
        // The hint names the digest an administrator would check and pin.
        QVERIFY2(outcome.detail.contains(hex()), qPrintable(outcome.detail));
        QCOMPARE(server.received().size(), 0);
    }

    // A line that arrives with the STARTTLS reply was sent in the clear; taken
    // as the first reply under TLS it would let someone on the path speak for
    // the relay (CVE-2011-0411). The client refuses such a relay.
    void plaintextInjectedAfterStartTls()
    {
        START_SERVER(server, tlsOptions() + QStringList {QStringLiteral("--inject-after-starttls")});
        SETTINGS(settings, local(server.port()) + QStringLiteral("?starttls=required&allow-self-signed=true"));
        const SmtpOutcome outcome = SmtpClient(settings).send(kFrom, {kTo}, kSimpleMessage);
        QVERIFY2(outcome.kind == SmtpOutcome::Kind::Temporary, qPrintable(show(outcome)));
        QCOMPARE(outcome.replyCode, 0);
        QVERIFY2(outcome.detail.contains(QLatin1String("after agreeing to STARTTLS")), qPrintable(outcome.detail));
        QCOMPARE(server.received().size(), 0);
    }

    // starttls=optional, asked for, with a relay that has no STARTTLS: sent,
    // in the clear.
    void startTlsOptionalNotOffered()
    {
        START_SERVER(server, {});
        SETTINGS(settings, local(server.port()) + QStringLiteral("?starttls=optional"));
        const SmtpOutcome outcome = SmtpClient(settings).send(kFrom, {kTo}, kSimpleMessage);
        QVERIFY2(outcome.kind == SmtpOutcome::Kind::Sent, qPrintable(show(outcome)));
        const QList<Received> received = server.received();
        QCOMPARE(received.size(), 1);
        QCOMPARE(received[0].envelope[QLatin1String("tls")].toBool(), false);
    }

    void startTlsRequiredButNotOffered()
    {
        START_SERVER(server, {});
        SETTINGS(settings, local(server.port()) + QStringLiteral("?starttls=required"));
        const SmtpOutcome outcome = SmtpClient(settings).send(kFrom, {kTo}, kSimpleMessage);
        QVERIFY2(outcome.kind == SmtpOutcome::Kind::Permanent, qPrintable(show(outcome)));
        QCOMPARE(outcome.replyCode, 0);
        QVERIFY2(outcome.detail.contains(QLatin1String("does not offer STARTTLS")), qPrintable(outcome.detail));
        QCOMPARE(server.received().size(), 0);
    }

    void serverRequiresStartTls()
    {
        START_SERVER(server, tlsOptions() + QStringList {QStringLiteral("--require-starttls")});
        SETTINGS(settings, local(server.port()) + QStringLiteral("?starttls=none"));
        const SmtpOutcome outcome = SmtpClient(settings).send(kFrom, {kTo}, kSimpleMessage);
        QVERIFY2(outcome.kind == SmtpOutcome::Kind::Permanent, qPrintable(show(outcome)));
        QCOMPARE(outcome.replyCode, 530);
        QVERIFY2(outcome.detail.contains(QLatin1String("STARTTLS")), qPrintable(outcome.detail));
        QCOMPARE(server.received().size(), 0);
    }

    void implicitTls_data()
    {
        QTest::addColumn<QString>("options");
        QTest::addColumn<bool>("sent");

        QTest::addRow("self-signed allowed") << QStringLiteral("?allow-self-signed=true") << true;
        QTest::addRow("pinned") << QStringLiteral("?pin=sha256:{hex}") << true;
        QTest::addRow("not allowed") << QString() << false;
    }

    void implicitTls()
    {
        QFETCH(QString, options);
        QFETCH(bool, sent);
        START_SERVER(server, tlsOptions() + QStringList {QStringLiteral("--implicit-tls")});
        SETTINGS(settings, local(server.port(), QStringLiteral("smtps")) + withPin(options));
        const SmtpOutcome outcome = SmtpClient(settings).send(kFrom, {kTo}, kSimpleMessage);
        if (!sent) {
            QVERIFY2(outcome.kind == SmtpOutcome::Kind::Permanent, qPrintable(show(outcome)));
            QVERIFY2(outcome.detail.contains(QLatin1String("certificate")), qPrintable(outcome.detail));
            QCOMPARE(server.received().size(), 0);
            return;
        }
        QVERIFY2(outcome.kind == SmtpOutcome::Kind::Sent, qPrintable(show(outcome)));
        const QList<Received> received = server.received();
        QCOMPARE(received.size(), 1);
        QCOMPARE(received[0].data, kSimpleMessage);
        QVERIFY(received[0].envelope[QLatin1String("tls")].toBool());
        QVERIFY(!received[0].envelope[QLatin1String("starttls")].toBool());
    }

    // --- authentication ---------------------------------------------------

    void auth_data()
    {
        QTest::addColumn<QStringList>("serverOptions");
        QTest::addColumn<QString>("options");
        QTest::addColumn<QString>("mechanism");
        QTest::addColumn<bool>("tls");

        const QString plainLoopback = QStringLiteral("starttls=none&auth-in-clear=yes-i-know");
        QTest::addRow("PLAIN only") << QStringList {QStringLiteral("--auth-mechanisms"), QStringLiteral("PLAIN")} << plainLoopback
                                    << QStringLiteral("PLAIN") << false;
        QTest::addRow("LOGIN only") << QStringList {QStringLiteral("--auth-mechanisms"), QStringLiteral("LOGIN")} << plainLoopback
                                    << QStringLiteral("LOGIN") << false;
        QTest::addRow("both: PLAIN preferred") << QStringList {QStringLiteral("--auth-mechanisms"), QStringLiteral("LOGIN,PLAIN")}
                                               << plainLoopback << QStringLiteral("PLAIN") << false;
        // AUTH appears only in the EHLO after STARTTLS: the client must ask again.
        QTest::addRow("AUTH offered only after STARTTLS")
            << tlsOptions()
                + QStringList {QStringLiteral("--auth-require-tls"), QStringLiteral("--auth-mechanisms"), QStringLiteral("LOGIN")}
            << QStringLiteral("starttls=required&allow-self-signed=true") << QStringLiteral("LOGIN") << true;
    }

    void auth()
    {
        QFETCH(QStringList, serverOptions);
        QFETCH(QString, options);
        QFETCH(QString, mechanism);
        QFETCH(bool, tls);
        const QString user = QStringLiteral("rights flow@council");
        const QString password = QStringLiteral("p@ss:w/rd%\u00e9");
        START_SERVER(server, serverOptions + QStringList {QStringLiteral("--auth"), user + QLatin1Char(':') + password});
        // Percent-encoded: '@', ':', '/', '%' and 'é' in the URL, plain after parsing.
        SETTINGS(settings,
            QStringLiteral("smtp://") + QString::fromLatin1(QUrl::toPercentEncoding(user)) + QLatin1Char(':')
                + QString::fromLatin1(QUrl::toPercentEncoding(password)) + QStringLiteral("@127.0.0.1:")
                + QString::number(server.port()) + QLatin1Char('?') + options);
        QCOMPARE(settings.password, password);

        const SmtpOutcome outcome = SmtpClient(settings).send(kFrom, {kTo}, kSimpleMessage);
        QVERIFY2(outcome.kind == SmtpOutcome::Kind::Sent, qPrintable(show(outcome)));
        const QList<Received> received = server.received();
        QCOMPARE(received.size(), 1);
        QCOMPARE(received[0].envelope[QLatin1String("auth_mechanism")].toString(), mechanism);
        QCOMPARE(received[0].envelope[QLatin1String("auth_login")].toString(), user);
        QCOMPARE(received[0].envelope[QLatin1String("tls")].toBool(), tls);
        QCOMPARE(server.authLog(), mechanism.toLatin1() + " ok\n");
    }

    void wrongPassword_data()
    {
        QTest::addColumn<QString>("mechanism");
        QTest::addRow("PLAIN") << QStringLiteral("PLAIN");
        QTest::addRow("LOGIN") << QStringLiteral("LOGIN");
    }

    void wrongPassword()
    {
        QFETCH(QString, mechanism);
        const QString wrong = QStringLiteral("Wr0ng-Passw0rd!");
        START_SERVER(
            server, {QStringLiteral("--auth"), QStringLiteral("officer:right"), QStringLiteral("--auth-mechanisms"), mechanism});
        SETTINGS(settings,
            QStringLiteral("smtp://officer:%1@127.0.0.1:%2?starttls=none&auth-in-clear=yes-i-know")
                .arg(wrong)
                .arg(server.port()));

        // Every line the client logs, with its transcript switched on.
        QStringList log;
        g_capturedLog = &log;
        QLoggingCategory::setFilterRules(QStringLiteral("rightsflow.mail.debug=true"));
        const QtMessageHandler previous = qInstallMessageHandler(captureMessage);
        const SmtpOutcome outcome = SmtpClient(settings).send(kFrom, {kTo}, kSimpleMessage);
        qInstallMessageHandler(previous);
        QLoggingCategory::setFilterRules(QString());
        g_capturedLog = nullptr;

        QVERIFY2(outcome.kind == SmtpOutcome::Kind::Permanent, qPrintable(show(outcome)));
        QCOMPARE(outcome.replyCode, 535);
        QVERIFY2(outcome.detail.contains(QLatin1String("535")), qPrintable(outcome.detail));
        QCOMPARE(server.authLog(), mechanism.toLatin1() + " failed\n");
        QCOMPARE(server.received().size(), 0);
        QVERIFY2(
            log.join(QLatin1Char('\n')).contains(QLatin1String("AUTH ") + mechanism), qPrintable(log.join(QLatin1Char('\n'))));

        const QStringList secrets {wrong, QString::fromLatin1(wrong.toUtf8().toBase64()),
            QString::fromLatin1(QByteArray(QByteArray("\0officer\0", 9) + wrong.toUtf8()).toBase64())};
        const QStringList texts = QStringList {outcome.detail, settings.describe()} + log;
        for (const QString &text : texts)
            for (const QString &secret : secrets)
                QVERIFY2(!text.contains(secret), qPrintable(text));
    }

    // Credentials never cross an unencrypted session, loopback or not, unless
    // the URL consents in words: the check comes before the first byte of
    // AUTH, so the relay sees neither the command nor the password.
    void noCredentialsInClear_data()
    {
        QTest::addColumn<QString>("options");
        QTest::addColumn<QStringList>("serverOptions");
        QTest::addColumn<QString>("mentions");

        // No STARTTLS offered at all (the server has no certificate).
        QTest::addRow("starttls=optional, not offered")
            << QStringLiteral("starttls=optional") << QStringList() << QStringLiteral("did not offer STARTTLS");
        QTest::addRow("starttls=optional, LOGIN only")
            << QStringLiteral("starttls=optional") << QStringList {QStringLiteral("--auth-mechanisms"), QStringLiteral("LOGIN")}
            << QStringLiteral("did not offer STARTTLS");
    }

    void noCredentialsInClear()
    {
        QFETCH(QString, options);
        QFETCH(QStringList, serverOptions);
        QFETCH(QString, mentions);
        const QString password = QStringLiteral("N0t-For-The-Wire");
        START_SERVER(server,
            serverOptions
                + QStringList {QStringLiteral("--wire-log"), QStringLiteral("--auth"), QStringLiteral("clerk:") + password});
        SETTINGS(settings, QStringLiteral("smtp://clerk:%1@127.0.0.1:%2?%3").arg(password).arg(server.port()).arg(options));

        const SmtpOutcome outcome = SmtpClient(settings).send(kFrom, {kTo}, kSimpleMessage);
        QVERIFY2(outcome.kind == SmtpOutcome::Kind::Permanent, qPrintable(show(outcome)));
        QCOMPARE(outcome.replyCode, 0);
        // The relay, what happened and the two remedies.
        for (const QString &part : {QStringLiteral("127.0.0.1:%1").arg(server.port()), mentions, QStringLiteral("unencrypted"),
                 QStringLiteral("starttls=required"), QStringLiteral("auth-in-clear=yes-i-know")})
            QVERIFY2(outcome.detail.contains(part), qPrintable(outcome.detail));
        QVERIFY(!outcome.detail.contains(password));
        const QByteArray wire = server.wire();
        QVERIFY2(wire.contains("EHLO"), wire.constData()); // the log did record the session
        QVERIFY2(!wire.toUpper().contains("AUTH"), wire.constData());
        for (const QByteArray &secret : {password.toUtf8(), password.toUtf8().toBase64(),
                 QByteArray(QByteArray("\0clerk\0", 7) + password.toUtf8()).toBase64()})
            QVERIFY2(!wire.contains(secret), wire.constData());
        QCOMPARE(server.authLog(), QByteArray());
        QCOMPARE(server.received().size(), 0);
    }

    // With the consent, the same relay does get the credentials in clear.
    void credentialsInClearWithConsent()
    {
        START_SERVER(server, {QStringLiteral("--wire-log"), QStringLiteral("--auth"), QStringLiteral("clerk:pw")});
        SETTINGS(settings,
            QStringLiteral("smtp://clerk:pw@127.0.0.1:%1?starttls=optional&auth-in-clear=yes-i-know").arg(server.port()));
        const SmtpOutcome outcome = SmtpClient(settings).send(kFrom, {kTo}, kSimpleMessage);
        QVERIFY2(outcome.kind == SmtpOutcome::Kind::Sent, qPrintable(show(outcome)));
        QCOMPARE(server.authLog(), QByteArray("PLAIN ok\n"));
        QVERIFY(server.wire().contains("AUTH PLAIN"));
    }

    // A relay that is not on this machine's loopback never gets the password
    // in the clear; over TLS it does, once the certificate is accepted.
    void nonLoopbackRelay_data()
    {
        QTest::addColumn<bool>("withTls");
        QTest::addColumn<QString>("options");
        QTest::addColumn<int>("kind");
        QTest::addColumn<QString>("mentions");

        QTest::addRow("plain: credentials refused")
            << false << QStringLiteral("starttls=optional") << int(SmtpOutcome::Kind::Permanent) << QStringLiteral("unencrypted");
        QTest::addRow("STARTTLS, self-signed but the wrong name")
            << true << QStringLiteral("allow-self-signed=true") << int(SmtpOutcome::Kind::Permanent)
            << QStringLiteral("host name");
        QTest::addRow("STARTTLS, pinned despite the name")
            << true << QStringLiteral("pin=sha256:{hex}") << int(SmtpOutcome::Kind::Sent) << QString();
    }

    void nonLoopbackRelay()
    {
        QFETCH(bool, withTls);
        QFETCH(QString, options);
        QFETCH(int, kind);
        QFETCH(QString, mentions);
        QHostAddress address;
        for (const QHostAddress &candidate : QNetworkInterface::allAddresses())
            if (candidate.protocol() == QAbstractSocket::IPv4Protocol && !candidate.isLoopback() && !candidate.isLinkLocal())
                address = candidate;
        if (address.isNull())
            QSKIP("this machine has no IPv4 address besides loopback");
        START_SERVER(server,
            (withTls ? tlsOptions() : QStringList())
                + QStringList {QStringLiteral("--host"), address.toString(), QStringLiteral("--auth"), QStringLiteral("u:pw")});
        SETTINGS(
            settings, QStringLiteral("smtp://u:pw@%1:%2?%3").arg(address.toString()).arg(server.port()).arg(withPin(options)));

        const SmtpOutcome outcome = SmtpClient(settings).send(kFrom, {kTo}, kSimpleMessage);
        QVERIFY2(int(outcome.kind) == kind, qPrintable(show(outcome)));
        if (outcome.kind == SmtpOutcome::Kind::Sent) {
            const QList<Received> received = server.received();
            QCOMPARE(received.size(), 1);
            QVERIFY(received[0].envelope[QLatin1String("tls")].toBool());
            QCOMPARE(server.authLog(), QByteArray("PLAIN ok\n"));
            return;
        }
        QCOMPARE(outcome.replyCode, 0);
        QVERIFY2(outcome.detail.contains(mentions, Qt::CaseInsensitive), qPrintable(outcome.detail));
        QCOMPARE(server.authLog(), QByteArray());
        QCOMPARE(server.received().size(), 0);
    }

    // --- the server's replies -----------------------------------------------

    void replies_data()
    {
        QTest::addColumn<QString>("forced");
        QTest::addColumn<int>("kind");
        QTest::addColumn<int>("code");

        using K = SmtpOutcome::Kind;
        QTest::addRow("4xx on RCPT") << QStringLiteral("RCPT:450") << int(K::Temporary) << 450;
        QTest::addRow("5xx on RCPT") << QStringLiteral("RCPT:550") << int(K::Permanent) << 550;
        QTest::addRow("4xx on MAIL") << QStringLiteral("MAIL:452") << int(K::Temporary) << 452;
        QTest::addRow("4xx on DATA") << QStringLiteral("DATA:451") << int(K::Temporary) << 451;
        QTest::addRow("5xx on DATA") << QStringLiteral("DATA:554") << int(K::Permanent) << 554;
    }

    void replies()
    {
        QFETCH(QString, forced);
        QFETCH(int, kind);
        QFETCH(int, code);
        START_SERVER(server, {QStringLiteral("--reply-code"), forced});
        SETTINGS(settings, local(server.port()) + QStringLiteral("?starttls=none"));
        const SmtpOutcome outcome = SmtpClient(settings).send(kFrom, {kTo}, kSimpleMessage);
        QVERIFY2(int(outcome.kind) == kind, qPrintable(show(outcome)));
        QCOMPARE(outcome.replyCode, code);
        // The server's own words, for the person reading the outbox.
        QVERIFY2(outcome.detail.contains(QStringLiteral("by the test server (forced %1)").arg(code)), qPrintable(outcome.detail));
        QCOMPARE(server.received().size(), 0);
    }

    void sizeLimit_data()
    {
        QTest::addColumn<int>("messageSize");
        QTest::addColumn<bool>("sent");
        QTest::addRow("within the limit") << 900 << true;
        QTest::addRow("over the limit") << 1100 << false;
    }

    void sizeLimit()
    {
        QFETCH(int, messageSize);
        QFETCH(bool, sent);
        START_SERVER(server, {QStringLiteral("--size"), QStringLiteral("1000")});
        SETTINGS(settings, local(server.port()) + QStringLiteral("?starttls=none"));
        QByteArray message = kSimpleMessage;
        while (message.size() < messageSize)
            message += QByteArray(qMin<qsizetype>(60, messageSize - message.size() - 2), 'y') + "\r\n";
        QCOMPARE(message.size(), messageSize);

        const SmtpOutcome outcome = SmtpClient(settings).send(kFrom, {kTo}, message);
        if (sent) {
            QVERIFY2(outcome.kind == SmtpOutcome::Kind::Sent, qPrintable(show(outcome)));
            QCOMPARE(server.received().size(), 1);
            return;
        }
        // Refused before MAIL FROM, from the SIZE the server announced.
        QVERIFY2(outcome.kind == SmtpOutcome::Kind::Permanent, qPrintable(show(outcome)));
        QCOMPARE(outcome.replyCode, 0);
        QVERIFY2(outcome.detail.contains(QLatin1String("at most 1000")), qPrintable(outcome.detail));
        QCOMPARE(server.received().size(), 0);
    }

    // --- the network ------------------------------------------------------

    void connectionRefused()
    {
        // A port that was just free: nothing listens there now.
        QTcpServer probe;
        QVERIFY(probe.listen(QHostAddress::LocalHost));
        const quint16 port = probe.serverPort();
        probe.close();
        SETTINGS(settings, local(port) + QStringLiteral("?starttls=none&timeout=10"));
        const SmtpOutcome outcome = SmtpClient(settings).send(kFrom, {kTo}, kSimpleMessage);
        QVERIFY2(outcome.kind == SmtpOutcome::Kind::Temporary, qPrintable(show(outcome)));
        QCOMPARE(outcome.replyCode, 0);
        QVERIFY2(outcome.detail.contains(QLatin1String("could not connect")), qPrintable(outcome.detail));
    }

    // A server that accepts and never answers: the step's timeout (1 s) ends
    // the wait. What is checked is the classification, not the time taken.
    void hangingServer_data()
    {
        QTest::addColumn<QString>("scheme");
        QTest::addRow("no greeting") << QStringLiteral("smtp");
        QTest::addRow("no TLS handshake") << QStringLiteral("smtps");
    }

    void hangingServer()
    {
        QFETCH(QString, scheme);
        START_SERVER(server, {QStringLiteral("--hang")});
        SETTINGS(settings, local(server.port(), scheme) + QStringLiteral("?timeout=1"));
        const SmtpOutcome outcome = SmtpClient(settings).send(kFrom, {kTo}, kSimpleMessage);
        QVERIFY2(outcome.kind == SmtpOutcome::Kind::Temporary, qPrintable(show(outcome)));
        QCOMPARE(outcome.replyCode, 0);
        QVERIFY2(outcome.detail.contains(QLatin1String("timeout=1")), qPrintable(outcome.detail));
    }

    // --- what the client refuses to send --------------------------------------

    void refusedInput_data()
    {
        QTest::addColumn<QString>("from");
        QTest::addColumn<QStringList>("recipients");
        QTest::addColumn<QByteArray>("message");

        QTest::addRow("no recipient") << kFrom << QStringList() << kSimpleMessage;
        QTest::addRow("command in a recipient")
            << kFrom << QStringList {QStringLiteral("a@b.example>\r\nRCPT TO:<c@d.example")} << kSimpleMessage;
        QTest::addRow("space in the sender") << QStringLiteral("a b@council.example") << QStringList {kTo} << kSimpleMessage;
        QTest::addRow("empty message") << kFrom << QStringList {kTo} << QByteArray();
    }

    void refusedInput()
    {
        QFETCH(QString, from);
        QFETCH(QStringList, recipients);
        QFETCH(QByteArray, message);
        START_SERVER(server, {});
        SETTINGS(settings, local(server.port()) + QStringLiteral("?starttls=none"));
        const SmtpOutcome outcome = SmtpClient(settings).send(from, recipients, message);
        QVERIFY2(outcome.kind == SmtpOutcome::Kind::Permanent, qPrintable(show(outcome)));
        QCOMPARE(outcome.replyCode, 0);
        QCOMPARE(server.received().size(), 0);
    }

    // --- intake and the mailer agree ------------------------------------------

    void intakeAndMailerAgree_data()
    {
        QTest::addColumn<QString>("address");
        QTest::addColumn<bool>("accepted");
        QTest::addColumn<QString>("onTheWire");
        QTest::addColumn<QString>("why");
        for (const test::EmailAddressCase &c : test::emailAddressCases())
            QTest::addRow("%s", c.label) << c.address << c.accepted << c.onTheWire << c.why;
    }

    // An address intake files is one the mailer sends (an internationalised
    // domain in its IDNA form, in RCPT TO and in To:); one intake refuses, the
    // mailer refuses too, before any connection, for the same reason.
    void intakeAndMailerAgree()
    {
        QFETCH(QString, address);
        QFETCH(bool, accepted);
        QFETCH(QString, onTheWire);
        QFETCH(QString, why);
        QCOMPARE(IntakeValidator::isEmail(address), accepted);

        MailMessage mail;
        mail.from = MailAddress {QStringLiteral("Information Governance"), kFrom};
        mail.to = {MailAddress {QStringLiteral("Zo\u00eb"), address}};
        mail.subject = QStringLiteral("Your request DSR-2026-000001");
        mail.text = QStringLiteral("We have received your request.\n");
        mail.date = QDateTime(QDate(2026, 3, 2), QTime(9, 0), QTimeZone::utc());
        mail.messageId = QStringLiteral("DSR-2026-000001.1.1@rightsflow.council.example");
        const Result<QByteArray> rendered = MimeWriter::render(mail);
        QCOMPARE(rendered.ok(), accepted);

        START_SERVER(server, {});
        SETTINGS(settings, local(server.port()) + QStringLiteral("?starttls=none"));
        const SmtpOutcome outcome = SmtpClient(settings).send(kFrom, {address}, rendered.ok() ? *rendered : kSimpleMessage);
        if (!accepted) {
            QVERIFY2(rendered.error().fullText().contains(why), qPrintable(rendered.error().fullText()));
            QVERIFY2(outcome.kind == SmtpOutcome::Kind::Permanent, qPrintable(show(outcome)));
            QCOMPARE(outcome.replyCode, 0);
            QVERIFY2(outcome.detail.contains(why), qPrintable(outcome.detail));
            QCOMPARE(server.received().size(), 0);
            return;
        }
        QVERIFY2(outcome.kind == SmtpOutcome::Kind::Sent, qPrintable(show(outcome)));
        const QList<Received> received = server.received();
        QCOMPARE(received.size(), 1);
        QCOMPARE(received[0].envelope[QLatin1String("rcpt_tos")].toVariant().toStringList(), QStringList {onTheWire});
        QVERIFY2(received[0].data.contains("<" + onTheWire.toLatin1() + ">"), received[0].data.constData());
    }

    // --- rightsflow mail test ----------------------------------------------------

    void mailTestSendsThroughTheRelay()
    {
        START_SERVER(server, tlsOptions());
        const QMap<QString, QString> env {
            {QStringLiteral("RIGHTSFLOW_MAIL_FROM"), QStringLiteral("Comhairle IG <ig@council.example>")},
            {QStringLiteral("RIGHTSFLOW_SMTP_URL"),
                local(server.port()) + QStringLiteral("?starttls=required&allow-self-signed=true")}};
        const test::ProcessRun run
            = test::runCli({QStringLiteral("mail"), QStringLiteral("test"), QStringLiteral("--to"), kTo}, env);
        QVERIFY2(run.exitCode == 0, qPrintable(run.describe()));
        QVERIFY2(run.out.contains(QStringLiteral("250")), qPrintable(run.describe()));
        const QList<Received> received = server.received();
        QCOMPARE(received.size(), 1);
        QCOMPARE(
            received.constFirst().envelope.value(QStringLiteral("mail_from")).toString(), QStringLiteral("ig@council.example"));
        QCOMPARE(received.constFirst().envelope.value(QStringLiteral("rcpt_tos")).toArray(), QJsonArray {kTo});
        QVERIFY(received.constFirst().envelope.value(QStringLiteral("tls")).toBool());
        // What a mail reader sees, parsed by Python's email package.
        QTemporaryDir dir;
        QFile eml(dir.filePath(QStringLiteral("m.eml")));
        QVERIFY(eml.open(QIODevice::WriteOnly) && eml.write(received.constFirst().data) > 0);
        eml.close();
        const test::ToolRun parsed = test::runTool(kPython,
            {QStringLiteral("-c"),
                QStringLiteral("import email, email.policy, sys\n"
                               "m = email.message_from_bytes(open(sys.argv[1], 'rb').read(), policy=email.policy.default)\n"
                               "print(m['Subject']); print(m['From'].addresses[0].display_name); print(m['To'])\n"
                               "print(len(m.defects))"),
                eml.fileName()});
        QVERIFY2(parsed.exitCode == 0, qPrintable(parsed.describe()));
        const QStringList lines = QString::fromUtf8(parsed.out).trimmed().split(QLatin1Char('\n'));
        QCOMPARE(lines,
            (QStringList {QStringLiteral("Rightsflow: test message"), QStringLiteral("Comhairle IG"), kTo, QStringLiteral("0")}));
    }

    void mailTestSaysWhyNothingWasSent()
    {
        // No relay configured: a usage error naming both ways to give one.
        const test::ProcessRun none = test::runCli({QStringLiteral("mail"), QStringLiteral("test"), QStringLiteral("--to"), kTo});
        QCOMPARE(none.exitCode, 2);
        QVERIFY2(none.err.contains(QStringLiteral("--smtp")) && none.err.contains(QStringLiteral("RIGHTSFLOW_SMTP_URL")),
            qPrintable(none.describe()));

        // Nobody listening: temporary, and the password is never printed.
        QTcpServer probe;
        QVERIFY(probe.listen(QHostAddress::LocalHost));
        const quint16 closed = probe.serverPort();
        probe.close();
        const test::ProcessRun refused
            = test::runCli({QStringLiteral("mail"), QStringLiteral("test"), QStringLiteral("--to"), kTo, QStringLiteral("--smtp"),
                QStringLiteral("smtp://clerk:Sup3rSecret@127.0.0.1:%1?starttls=none&auth-in-clear=yes-i-know").arg(closed)});
        QCOMPARE(refused.exitCode, 1);
        QVERIFY2(refused.err.contains(QStringLiteral("temporary")), qPrintable(refused.describe()));
        QVERIFY(!refused.out.contains(QStringLiteral("Sup3rSecret")) && !refused.err.contains(QStringLiteral("Sup3rSecret")));

        // A relay that refuses the recipient for good.
        START_SERVER(server, {QStringLiteral("--reply-code"), QStringLiteral("RCPT:550")});
        const test::ProcessRun rejected = test::runCli({QStringLiteral("mail"), QStringLiteral("test"), QStringLiteral("--to"),
            kTo, QStringLiteral("--smtp"), local(server.port()) + QStringLiteral("?starttls=none")});
        QCOMPARE(rejected.exitCode, 1);
        QVERIFY2(rejected.err.contains(QStringLiteral("refused for good")) && rejected.err.contains(QStringLiteral("550")),
            qPrintable(rejected.describe()));
        QCOMPARE(server.received().size(), 0);
    }
};

QTEST_GUILESS_MAIN(TestSmtp)
#include "TestSmtp.moc"
