// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/Result.h"
#include "workflow/ActionRegistry.h"
#include "workflow/WorkflowDefinition.h"

#include <QByteArray>
#include <QList>
#include <QString>

namespace rf {

// Reads and validates workflow definitions. Every problem is reported, one per
// line, as "FILE: JSON-PATH: what is wrong", so a bad definition is refused
// before it can reach the register.
class WorkflowLoader
{
public:
    explicit WorkflowLoader(const ActionRegistry &registry = ActionRegistry::builtin())
        : m_registry(registry)
    { }

    [[nodiscard]] Result<WorkflowDefinition> parse(const QByteArray &json, const QString &source) const;
    [[nodiscard]] Result<WorkflowDefinition> loadFile(const QString &path) const;

private:
    const ActionRegistry &m_registry;
};

// The set of definitions in use: one per right, from the shipped resources or
// from a directory (RIGHTSFLOW_WORKFLOWS or --workflows).
class WorkflowLibrary
{
public:
    // Loads every *.json file of `directory`; ":/workflows" is the shipped set.
    [[nodiscard]] static Result<WorkflowLibrary> load(
        const QString &directory, const ActionRegistry &registry = ActionRegistry::builtin());

    [[nodiscard]] const WorkflowDefinition *forRight(const QString &right) const;
    [[nodiscard]] const WorkflowDefinition *byId(const QString &id) const;
    [[nodiscard]] const QList<WorkflowDefinition> &all() const { return m_definitions; }
    [[nodiscard]] const QString &directory() const { return m_directory; }

    // The directory used when none is given: RIGHTSFLOW_WORKFLOWS, else the shipped set.
    [[nodiscard]] static QString defaultDirectory();

private:
    QList<WorkflowDefinition> m_definitions;
    QString m_directory;
};

} // namespace rf
