// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// What the command implementations share: the register session, the common
// options and argument parsing. Internal to the rightsflow program.

#include "bundle/ProcessingRegister.h"
#include "core/Clock.h"
#include "core/SafeOutput.h"
#include "core/Text.h"
#include "store/Store.h"
#include "workflow/Engine.h"

#include <QCommandLineOption>
#include <QCommandLineParser>
#include <QJsonValue>
#include <QTextStream>

#include <memory>

namespace rf::cli {

extern const QString kProgram;

QCommandLineOption dbOption();
QCommandLineOption jsonOption();
// --force: replace a file that is already where --out points (never the
// register or a configuration file; see SafeOutput).
QCommandLineOption forceOption();
Overwrite overwriteChoice(const QCommandLineParser &parser);
// --processing-register FILE, and the register it names (else
// $RIGHTSFLOW_PROCESSING_REGISTER; an error naming both when neither is given).
QCommandLineOption processingRegisterOption();
Result<ProcessingRegister> loadProcessingRegister(const QCommandLineParser &parser);

// Everything a command needs to act on the register.
struct Session {
    std::unique_ptr<Store> store;
    std::unique_ptr<Clock> clock;
    WorkflowLibrary library;
    std::unique_ptr<Engine> engine;
};

// The clock ($RIGHTSFLOW_NOW fixes it), the workflows, the register and an engine.
// With `create`, a new register is made; with `rehearsal` too, it becomes a
// rehearsal register. A moved clock on a live register is refused here.
Result<std::unique_ptr<Session>> openSession(const QCommandLineParser &parser, bool create = false, bool rehearsal = false);

QString jsonText(const QJsonValue &value);
// A moment in council time, as officers and letters give it.
QString when(const QDateTime &t);

// Parses a sub-command's arguments; `proceed` is false (with the exit code)
// when the caller should stop: help printed or a usage error.
struct Parsed {
    bool proceed = false;
    int exitCode = 0;
};
Parsed parseArgs(QCommandLineParser &parser, const QString &command, const QString &summary, const QStringList &args,
    QTextStream &out, QTextStream &err);

} // namespace rf::cli
