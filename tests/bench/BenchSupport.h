// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// What every Rightsflow benchmark prints the same way: aligned figures and
// the machine they were measured on; and how the benchmarks that run the
// real CLI measure it as a child process (wall time, CPU, peak memory).

#include "core/Result.h"

#include <QByteArray>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <QList>
#include <QString>
#include <QStringList>
#include <QTextStream>

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <vector>

extern char **environ;

namespace rf::bench {

constexpr int kLabelWidth = 66;

inline QTextStream &out()
{
    static QTextStream stream(stdout);
    return stream;
}

inline QTextStream &err()
{
    static QTextStream stream(stderr);
    return stream;
}

inline void heading(const QString &title)
{
    out() << Qt::endl << title << Qt::endl;
}

// One figure per line, labels padded so the values line up.
inline void figure(const QString &label, const QString &value, const QString &note = {})
{
    out() << (label + QLatin1Char(':')).leftJustified(kLabelWidth) << QLatin1Char(' ') << value;
    if (!note.isEmpty())
        out() << QStringLiteral("   ") << note;
    out() << Qt::endl;
}

constexpr int kColumnWidth = 20;

// A row of a table whose first column starts where figure() values do: one
// column per register compared (SQLite, PostgreSQL). An empty label makes
// the row of column headings.
inline void columns(const QString &label, const QStringList &values)
{
    QString line = (label.isEmpty() ? label : label + QLatin1Char(':')).leftJustified(kLabelWidth);
    for (const QString &value : values)
        line += QLatin1Char(' ') + value.leftJustified(kColumnWidth);
    while (line.endsWith(QLatin1Char(' ')))
        line.chop(1);
    out() << line << Qt::endl;
}

inline QString fixed(double value, int decimals = 1)
{
    return QString::number(value, 'f', decimals);
}

inline QString cpuModel()
{
    QFile file(QStringLiteral("/proc/cpuinfo"));
    if (!file.open(QIODevice::ReadOnly | QIODevice::Text))
        return QStringLiteral("unknown (no /proc/cpuinfo)");
    // x86 names the model "model name"; some ARM kernels only give "Hardware" or "Processor".
    const QStringList keys {QStringLiteral("model name"), QStringLiteral("Hardware"), QStringLiteral("Processor")};
    QHash<QString, QString> found;
    const QStringList lines = QString::fromUtf8(file.readAll()).split(QLatin1Char('\n'));
    for (const QString &line : lines) {
        const qsizetype colon = line.indexOf(QLatin1Char(':'));
        if (colon < 0)
            continue;
        const QString key = line.left(colon).trimmed();
        if (keys.contains(key) && !found.contains(key))
            found.insert(key, line.mid(colon + 1).trimmed());
    }
    for (const QString &key : keys) {
        if (!found.value(key).isEmpty())
            return found.value(key);
    }
    return QStringLiteral("unknown");
}

// Other work on the machine competes for its cores: "1.20 0.80 0.50 (1, 5, 15 min)".
inline QString loadAverage()
{
    QFile file(QStringLiteral("/proc/loadavg"));
    if (!file.open(QIODevice::ReadOnly | QIODevice::Text))
        return QStringLiteral("unknown (no /proc/loadavg)");
    const QStringList fields = QString::fromLatin1(file.readAll()).split(QLatin1Char(' '));
    if (fields.size() < 3)
        return QStringLiteral("unknown");
    return QStringLiteral("%1 %2 %3 (1, 5, 15 min)").arg(fields.at(0), fields.at(1), fields.at(2));
}

inline QString compilerName()
{
#if defined(__clang__)
    return QStringLiteral("Clang ") + QString::fromLatin1(__clang_version__);
#elif defined(__GNUC__)
    return QStringLiteral("GCC ") + QString::fromLatin1(__VERSION__);
#else
    return QStringLiteral("unknown");
#endif
}

// --- running a command as a child process and measuring it ------------------------

// What runMeasured() saw of one command.
struct ChildRun {
    int exitCode = -1; // -1: it did not exit normally (a signal)
    double wallSeconds = 0;
    double userSeconds = 0;
    double systemSeconds = 0;
    qint64 peakRssKiB = 0; // ru_maxrss
    QString output; // its stdout and stderr together
};

inline double timevalSeconds(const timeval &t)
{
    return double(t.tv_sec) + double(t.tv_usec) / 1e6;
}

// Runs `program` in `workingDirectory` and measures it as `time -v` would:
// wall time from fork to reaping, and from wait4() its CPU time and peak
// resident set, which QProcess cannot give. Its output goes to `logPath`.
// `extraEnvironment` ("NAME=value") is added to this process's environment,
// replacing a variable of the same name.
inline Result<ChildRun> runMeasured(const QString &program, const QStringList &arguments, const QString &workingDirectory,
    const QList<QByteArray> &extraEnvironment, const QString &logPath)
{
    // Everything the child needs is made before fork(): after it, only
    // async-signal-safe calls.
    std::vector<QByteArray> argumentBytes {QFile::encodeName(program)};
    for (const QString &argument : arguments)
        argumentBytes.push_back(argument.toLocal8Bit());
    std::vector<char *> argv;
    for (QByteArray &argument : argumentBytes)
        argv.push_back(argument.data());
    argv.push_back(nullptr);
    std::vector<QByteArray> environmentBytes;
    for (char **entry = environ; *entry; ++entry) {
        const QByteArray variable(*entry);
        const QByteArray name = variable.left(variable.indexOf('=') + 1);
        const bool replaced = std::any_of(extraEnvironment.cbegin(), extraEnvironment.cend(),
            [&name](const QByteArray &extra) { return extra.startsWith(name); });
        if (!replaced)
            environmentBytes.push_back(variable);
    }
    for (const QByteArray &extra : extraEnvironment)
        environmentBytes.push_back(extra);
    std::vector<char *> envp;
    for (QByteArray &variable : environmentBytes)
        envp.push_back(variable.data());
    envp.push_back(nullptr);
    const QByteArray directory = QFile::encodeName(workingDirectory);

    const int log = ::open(QFile::encodeName(logPath).constData(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (log < 0)
        return makeError(
            ErrorCode::Storage, QStringLiteral("cannot write %1: %2").arg(logPath, QString::fromLocal8Bit(strerror(errno))));
    const int input = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    QElapsedTimer wall;
    wall.start();
    const pid_t pid = ::fork();
    if (pid == 0) {
        if (::chdir(directory.constData()) != 0 || ::dup2(input, STDIN_FILENO) < 0 || ::dup2(log, STDOUT_FILENO) < 0
            || ::dup2(log, STDERR_FILENO) < 0)
            ::_exit(126);
        ::execve(argv.front(), argv.data(), envp.data());
        ::_exit(127);
    }
    const int forkError = errno;
    ::close(log);
    if (input >= 0)
        ::close(input);
    if (pid < 0)
        return makeError(
            ErrorCode::Storage, QStringLiteral("cannot start %1: %2").arg(program, QString::fromLocal8Bit(strerror(forkError))));
    int status = 0;
    rusage usage {};
    pid_t reaped = 0;
    do {
        reaped = ::wait4(pid, &status, 0, &usage);
    } while (reaped < 0 && errno == EINTR);
    ChildRun run;
    run.wallSeconds = double(wall.nsecsElapsed()) / 1e9;
    if (reaped != pid)
        return makeError(ErrorCode::Storage, QStringLiteral("lost track of %1 (wait4 failed)").arg(program));
    run.exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    run.userSeconds = timevalSeconds(usage.ru_utime);
    run.systemSeconds = timevalSeconds(usage.ru_stime);
    run.peakRssKiB = usage.ru_maxrss;
    QFile output(logPath);
    if (output.open(QIODevice::ReadOnly))
        run.output = QString::fromLocal8Bit(output.readAll()).trimmed();
    if (run.exitCode != 0)
        return makeError(ErrorCode::Invalid,
            QStringLiteral("%1 %2 failed (%3):\n%4")
                .arg(QFileInfo(program).fileName(), arguments.join(QLatin1Char(' ')),
                    run.exitCode < 0 ? QStringLiteral("killed by a signal") : QStringLiteral("exit code %1").arg(run.exitCode),
                    run.output));
    return run;
}

// Writes out what the file system holds in memory, so that one step's
// pending writes are not billed to the next.
inline void settleDisk(const QString &directory)
{
    const int fd = ::open(QFile::encodeName(directory).constData(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return;
    ::syncfs(fd);
    ::close(fd);
}

inline QString rssMb(const ChildRun &run)
{
    return fixed(double(run.peakRssKiB) / 1024.0, 1);
}

inline QString cpuSeconds(const ChildRun &run)
{
    return QStringLiteral("%1 + %2").arg(fixed(run.userSeconds, 1), fixed(run.systemSeconds, 1));
}

} // namespace rf::bench
