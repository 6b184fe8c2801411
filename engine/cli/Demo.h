// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "bundle/ProcessingRegister.h"
#include "workflow/Engine.h"

#include <memory>

#include <QTextStream>

namespace rf {

// The main job of `./run demo`: files sample requests of every right through
// the engine API, drives each through its workflow as officers and the DPO
// would, and prints what happens, including the refusals the rules enforce.
class Demo
{
public:
    // Bundles are written into `bundleDir`.
    Demo(Engine &engine, QTextStream &out, QString bundleDir)
        : m_engine(engine)
        , m_out(out)
        , m_bundleDir(std::move(bundleDir))
    { }
    [[nodiscard]] Status run();
    // The first request the demo filed, for the closing hint.
    [[nodiscard]] const QString &firstReference() const { return m_firstReference; }
    // The response bundle the demo built.
    [[nodiscard]] const QString &bundlePath() const { return m_bundlePath; }

private:
    struct Step {
        QString action;
        QString user;
        QMap<QString, QString> inputs;
        QString note;
        bool expectRefusal = false; // shown to demonstrate a rule
    };
    [[nodiscard]] Result<QString> file(const QString &title, const IntakeForm &form);
    [[nodiscard]] Status drive(const QString &reference, const QList<Step> &steps);
    // The access request's case file, with the shipped example processing register.
    [[nodiscard]] Status caseFile(const QString &reference);
    // Marks it, builds the response bundle into the bundle folder and verifies it.
    [[nodiscard]] Status bundle(const QString &reference);

    Engine &m_engine;
    QTextStream &m_out;
    QString m_bundleDir;
    QString m_bundlePath;
    std::shared_ptr<const ProcessingRegister> m_processing;
    QString m_firstReference;
};

} // namespace rf
