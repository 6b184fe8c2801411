// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// A private, throwaway PostgreSQL server for one benchmark run, started and
// stopped with tests/pg/pg-instance. The server is stopped when the object
// goes, on every return path, and also when the run is interrupted (SIGINT,
// SIGTERM, SIGHUP): a long run cut short must not leave a server and its
// data directory behind.

#include "BenchSupport.h"
#include "core/Result.h"

#include <QFile>
#include <QProcess>
#include <QString>
#include <QStringList>
#include <QTemporaryDir>

#include <cerrno>
#include <csignal>
#include <string>

#include <sys/wait.h>
#include <unistd.h>

namespace rf::bench {

class PostgresServer
{
public:
    explicit PostgresServer(QString script)
        : m_script(std::move(script))
    { }
    ~PostgresServer() { stop(); }
    PostgresServer(const PostgresServer &) = delete;
    PostgresServer &operator=(const PostgresServer &) = delete;

    // Starts the server; `progress` receives the script's report (version,
    // port and data directory), never the password.
    [[nodiscard]] Status start(QString *progress)
    {
        if (!m_state.isValid())
            return makeError(ErrorCode::Storage,
                QStringLiteral("cannot make a temporary directory for the PostgreSQL state file: %1").arg(m_state.errorString()));
        const QString stateFile = m_state.filePath(QStringLiteral("pg-state"));
        // Armed before the script runs: a server that came up just before an
        // interruption is still stopped (the script stops nothing when it
        // recorded no server).
        armSignals(stateFile);
        m_started = true;
        Result<QString> report = run({QStringLiteral("start"), stateFile}, 300);
        if (!report)
            return report.error();
        if (progress)
            *progress = report->trimmed();
        QFile state(stateFile);
        if (!state.open(QIODevice::ReadOnly))
            return makeError(
                ErrorCode::Storage, QStringLiteral("%1 start wrote no state file; the server may not be running").arg(m_script));
        for (const QByteArray &line : state.readAll().split('\n')) {
            if (line.startsWith("url="))
                m_url = QString::fromUtf8(line.mid(4));
        }
        if (m_url.isEmpty())
            return makeError(ErrorCode::Storage, QStringLiteral("%1 start recorded no server URL").arg(m_script));
        return {};
    }

    // The maintenance database's URL (it carries the password: never print it).
    [[nodiscard]] const QString &url() const { return m_url; }

    // Stops the server and removes its data; a failure is reported on
    // stderr, since this also runs on the way out of a failed run.
    void stop()
    {
        if (!m_started)
            return;
        m_started = false;
        m_url.clear();
        disarmSignals();
        if (Result<QString> report = run({QStringLiteral("stop"), m_state.filePath(QStringLiteral("pg-state"))}, 120); !report)
            err() << QStringLiteral("bench_register: stopping the PostgreSQL server failed: ") << report.error().message
                  << Qt::endl;
    }

private:
    [[nodiscard]] Result<QString> run(const QStringList &arguments, int timeoutSeconds) const
    {
        QProcess process;
        process.start(m_script, arguments);
        if (!process.waitForStarted())
            return makeError(ErrorCode::Storage, QStringLiteral("cannot run %1: %2").arg(m_script, process.errorString()));
        if (!process.waitForFinished(timeoutSeconds * 1000)) {
            process.kill();
            process.waitForFinished();
            return makeError(ErrorCode::Storage,
                QStringLiteral("%1 %2 did not finish within %3 s").arg(m_script, arguments.constFirst()).arg(timeoutSeconds));
        }
        if (process.exitStatus() != QProcess::NormalExit || process.exitCode() != 0)
            return makeError(ErrorCode::Storage,
                QStringLiteral("%1 %2 failed (exit code %3): %4")
                    .arg(m_script, arguments.constFirst())
                    .arg(process.exitCode())
                    .arg(QString::fromLocal8Bit(process.readAllStandardError()).trimmed()));
        return QString::fromLocal8Bit(process.readAllStandardOutput());
    }

    // What the signal handler needs, prepared beforehand: it may only call
    // async-signal-safe functions (fork, execv, waitpid, rmdir, raise), so
    // it cannot build strings or touch Qt.
    struct Interrupted {
        static inline std::string script;
        static inline std::string command;
        static inline std::string stateFile;
        static inline std::string stateDirectory;
        static inline char *argv[4] = {};
        static inline volatile std::sig_atomic_t armed = 0;
        static inline struct sigaction previous[3] = {};
        static constexpr int caught[3] = {SIGINT, SIGTERM, SIGHUP};

        static void handle(int signal)
        {
            if (armed) {
                armed = 0;
                const pid_t child = fork();
                if (child == 0) {
                    execv(argv[0], argv);
                    _exit(127);
                }
                if (child > 0) {
                    int status = 0;
                    while (waitpid(child, &status, 0) < 0 && errno == EINTR) { }
                    rmdir(stateDirectory.c_str()); // emptied by the script
                }
            }
            // Die of the signal as if it had not been caught.
            struct sigaction fallback = {};
            fallback.sa_handler = SIG_DFL;
            sigemptyset(&fallback.sa_mask);
            sigaction(signal, &fallback, nullptr);
            raise(signal);
        }
    };

    void armSignals(const QString &stateFile)
    {
        Interrupted::script = m_script.toStdString();
        Interrupted::command = "stop";
        Interrupted::stateFile = stateFile.toStdString();
        Interrupted::stateDirectory = m_state.path().toStdString();
        Interrupted::argv[0] = Interrupted::script.data();
        Interrupted::argv[1] = Interrupted::command.data();
        Interrupted::argv[2] = Interrupted::stateFile.data();
        Interrupted::argv[3] = nullptr;
        struct sigaction action = {};
        action.sa_handler = &Interrupted::handle;
        sigemptyset(&action.sa_mask);
        for (int i = 0; i < 3; ++i)
            sigaction(Interrupted::caught[i], &action, &Interrupted::previous[i]);
        Interrupted::armed = 1;
    }

    static void disarmSignals()
    {
        Interrupted::armed = 0;
        for (int i = 0; i < 3; ++i)
            sigaction(Interrupted::caught[i], &Interrupted::previous[i], nullptr);
    }

    QString m_script;
    QTemporaryDir m_state;
    QString m_url;
    bool m_started = false;
};

} // namespace rf::bench
