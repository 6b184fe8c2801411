// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// What the suites share to check results and to run the independent tools
// (Python's zipfile, unzip, pdftotext) they read our output with.

#include "core/Result.h"

#include <QByteArray>
#include <QProcess>
#include <QProcessEnvironment>
#include <QString>
#include <QStringList>
#include <QTest>

namespace rf::test {

inline QString errorText(const Error &error)
{
    return error.fullText();
}

// QVERIFY2 evaluates its message even when the check passes, and a Result
// holding a value has no error to read.
template<typename R>
QString errorText(const R &result)
{
    return result.ok() ? QString() : result.error().fullText();
}

// What a tool printed and how it exited (-1: it did not start, crashed or hung).
struct ToolRun {
    QString program;
    QStringList args;
    int exitCode = -1;
    QByteArray out;
    QByteArray err;

    [[nodiscard]] QString describe() const
    {
        return QStringLiteral("%1 %2\n  exit %3\n  stdout: %4\n  stderr: %5")
            .arg(program, args.join(QLatin1Char(' ')).left(300))
            .arg(exitCode)
            .arg(QString::fromUtf8(out.left(3000)), QString::fromUtf8(err.left(3000)));
    }
};

// Runs a tool to completion in a UTF-8 locale (unzip prints UTF-8 names only
// in one). The wait is a safety net against a hang, not a timing assertion.
inline ToolRun runTool(const QString &program, const QStringList &args)
{
    ToolRun run {program, args, -1, {}, {}};
    QProcess process;
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert(QStringLiteral("LC_ALL"), QStringLiteral("C.UTF-8"));
    process.setProcessEnvironment(environment);
    process.start(program, args);
    if (!process.waitForStarted(60000)) {
        run.err = process.errorString().toUtf8();
        return run;
    }
    process.closeWriteChannel();
    if (!process.waitForFinished(300000)) {
        process.kill();
        process.waitForFinished(10000);
        run.err = "safety net: no exit after 300 s; killed";
        return run;
    }
    run.out = process.readAllStandardOutput();
    run.err = process.readAllStandardError();
    run.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
    return run;
}

} // namespace rf::test

// Checks a Result or Status, printing its error when it failed.
#define VERIFY_OK(expression)                                                                                                    \
    do {                                                                                                                         \
        const auto &checkedResult = (expression);                                                                                \
        QVERIFY2(checkedResult.ok(), qPrintable(rf::test::errorText(checkedResult)));                                            \
    } while (false)
