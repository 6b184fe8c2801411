// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// Runs the real rightsflow program (RIGHTSFLOW_CLI) as a separate process,
// with the environment cleared of a developer's register, clock and workflow
// settings, and gives back what it printed and how it exited.

#include <QMap>
#include <QProcess>
#include <QProcessEnvironment>
#include <QString>
#include <QStringList>

namespace rf::test {

struct ProcessRun {
    QStringList args;
    int exitCode = -1;
    bool finished = false; // exited normally within the safety net
    QString out;
    QString err;

    [[nodiscard]] QString describe() const
    {
        return QStringLiteral("rightsflow %1\n  %2\n  stdout: %3\n  stderr: %4")
            .arg(args.join(QLatin1Char(' ')),
                finished ? QStringLiteral("exit %1").arg(exitCode) : QStringLiteral("did not exit normally"), out.left(3000),
                err.left(3000));
    }
};

// The environment a test's rightsflow process starts with; entries of `env`
// with a null value are removed.
inline QProcessEnvironment cliEnvironment(const QMap<QString, QString> &env = {})
{
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    for (const char *name : {"RIGHTSFLOW_DB", "RIGHTSFLOW_NOW", "RIGHTSFLOW_WORKFLOWS", "RIGHTSFLOW_DROP_DIR",
             "RIGHTSFLOW_MAIL_FROM", "RIGHTSFLOW_DUPLICATE_WINDOW_DAYS", "RIGHTSFLOW_DUE_SOON_DAYS", "RIGHTSFLOW_REGION"})
        environment.remove(QString::fromLatin1(name));
    for (auto it = env.constBegin(); it != env.constEnd(); ++it) {
        if (it.value().isNull())
            environment.remove(it.key());
        else
            environment.insert(it.key(), it.value());
    }
    return environment;
}

// Runs rightsflow to completion. The wait is a safety net for a hung
// process, not a timing assertion.
inline ProcessRun runCli(const QStringList &args, const QMap<QString, QString> &env = {})
{
    ProcessRun result;
    result.args = args;
    QProcess process;
    process.setProcessEnvironment(cliEnvironment(env));
    process.start(QStringLiteral(RIGHTSFLOW_CLI), args);
    if (!process.waitForStarted(60000)) {
        result.err = QStringLiteral("could not start %1: %2").arg(QStringLiteral(RIGHTSFLOW_CLI), process.errorString());
        return result;
    }
    result.finished = process.waitForFinished(300000) && process.exitStatus() == QProcess::NormalExit;
    if (!result.finished)
        process.kill();
    result.exitCode = process.exitCode();
    result.out = QString::fromUtf8(process.readAllStandardOutput());
    result.err = QString::fromUtf8(process.readAllStandardError());
    return result;
}

} // namespace rf::test
