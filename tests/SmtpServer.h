// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// A real SMTP server for the tests: tests/mail/smtp-server.py (Debian's
// aiosmtpd) as a child process on loopback, with the options a test gives
// (STARTTLS, implicit TLS, AUTH, forced replies, a hang), keeping every
// message it accepts in a folder.

#include <QByteArray>
#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QList>
#include <QProcess>
#include <QString>
#include <QStringList>
#include <QTemporaryDir>
#include <QTest>

namespace rf::test {

struct Received {
    QJsonObject envelope; // mail_from, rcpt_tos, mail_options, tls, starttls, auth_mechanism, auth_login
    QByteArray data;
};

// tests/mail/smtp-server.py as a child process, for one test: started with the
// options given, stopped (and killed if need be) when the test returns,
// whether it passed or failed. Closing its stdin alone would stop it too.
class SmtpServer
{
public:
    SmtpServer() { m_process.setProgram(QStringLiteral("/usr/bin/python3")); }
    ~SmtpServer()
    {
        if (m_process.state() == QProcess::NotRunning)
            return;
        m_process.closeWriteChannel();
        m_process.terminate();
        if (!m_process.waitForFinished(10000)) { // a safety net, not a timing
            m_process.kill();
            m_process.waitForFinished(10000);
        }
    }

    // Starts the server and reads its port from "READY PORT".
    bool start(const QStringList &options)
    {
        if (!m_dir.isValid()) {
            m_problem = QStringLiteral("no temporary directory");
            return false;
        }
        m_process.setArguments(QStringList {QStringLiteral(RIGHTSFLOW_SOURCE_DIR "/tests/mail/smtp-server.py"),
                                   QStringLiteral("--maildir"), maildir()}
            + options);
        m_process.start();
        if (!m_process.waitForStarted(30000)) {
            m_problem = m_process.errorString();
            return false;
        }
        while (!m_process.canReadLine()) {
            if (!m_process.waitForReadyRead(30000)) { // a safety net against a broken server
                m_problem = QStringLiteral("no READY line: ") + diagnostics();
                return false;
            }
        }
        const QByteArray line = m_process.readLine().trimmed();
        bool ok = false;
        m_port = quint16(line.mid(6).toUInt(&ok));
        if (!line.startsWith("READY ") || !ok || m_port == 0) {
            m_problem = QStringLiteral("unexpected first line '%1': %2").arg(QString::fromUtf8(line), diagnostics());
            return false;
        }
        return true;
    }

    [[nodiscard]] quint16 port() const { return m_port; }
    [[nodiscard]] QString maildir() const { return m_dir.filePath(QStringLiteral("maildir")); }
    [[nodiscard]] QString problem() const { return m_problem; }

    QString diagnostics()
    {
        return QStringLiteral("server arguments: %1\nserver stderr: %2")
            .arg(m_process.arguments().join(QLatin1Char(' ')), QString::fromUtf8(m_process.readAllStandardError()));
    }

    // Every message the server accepted, in order.
    [[nodiscard]] QList<Received> received() const
    {
        QList<Received> messages;
        const QDir dir(maildir());
        for (const QString &name : dir.entryList({QStringLiteral("*.json")}, QDir::Files, QDir::Name)) {
            QFile json(dir.filePath(name));
            QFile eml(dir.filePath(name.chopped(5) + QStringLiteral(".eml")));
            if (!json.open(QIODevice::ReadOnly) || !eml.open(QIODevice::ReadOnly))
                continue;
            messages << Received {QJsonDocument::fromJson(json.readAll()).object(), eml.readAll()};
        }
        return messages;
    }

    // One line "MECHANISM ok|failed" per AUTH attempt; empty when none.
    [[nodiscard]] QByteArray authLog() const
    {
        QFile file(QDir(maildir()).filePath(QStringLiteral("auth.log")));
        return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
    }

    // With --wire-log: every byte the client sent, in order.
    [[nodiscard]] QByteArray wire() const
    {
        QFile file(QDir(maildir()).filePath(QStringLiteral("wire.log")));
        return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
    }

private:
    QTemporaryDir m_dir;
    QProcess m_process;
    quint16 m_port = 0;
    QString m_problem;
};

// Starts a server with these options or fails the calling test.
#define START_SERVER(server, ...)                                                                                                \
    rf::test::SmtpServer server;                                                                                                 \
    QVERIFY2(server.start(__VA_ARGS__), qPrintable(server.problem()))

} // namespace rf::test
