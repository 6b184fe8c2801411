// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "workflow/WorkflowDefinition.h"

#include <QString>

namespace rf {

// Graphviz source of a workflow's state machine: states shaped by kind
// (closed states double-circled, waiting states dashed), edges labelled with
// the action and the roles that may take it.
[[nodiscard]] QString toDot(const WorkflowDefinition &definition);

} // namespace rf
