// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "workflow/Engine.h"

#include <QTextStream>

namespace rf {

// The main job of `./run demo`: files sample requests of every right through
// the engine API, drives each through its workflow as officers and the DPO
// would, and prints what happens, including the refusals the rules enforce.
class Demo
{
public:
    Demo(Engine &engine, QTextStream &out)
        : m_engine(engine)
        , m_out(out)
    { }
    [[nodiscard]] Status run();
    // The first request the demo filed, for the closing hint.
    [[nodiscard]] const QString &firstReference() const { return m_firstReference; }

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

    Engine &m_engine;
    QTextStream &m_out;
    QString m_firstReference;
};

} // namespace rf
