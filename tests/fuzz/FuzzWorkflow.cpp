// SPDX-License-Identifier: GPL-3.0-or-later
// Workflow definitions (workflows/*.json, or a council's RIGHTSFLOW_WORKFLOWS):
// what WorkflowLoader accepts must read back from its canonical JSON to the
// same definition, and must export as a graph.
#include "FuzzSupport.h"

#include "workflow/DotExport.h"
#include "workflow/WorkflowLoader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const bool started = rf::fuzz::quietStart();
    Q_UNUSED(started);
    const rf::WorkflowLoader loader;
    const rf::Result<rf::WorkflowDefinition> definition = loader.parse(rf::fuzz::bytes(data, size), QStringLiteral("fuzz.json"));
    rf::fuzz::requireExplained(definition, "WorkflowLoader::parse");
    if (!definition)
        return 0;
    const rf::Result<rf::WorkflowDefinition> again = loader.parse(definition->canonicalJson, QStringLiteral("canonical.json"));
    rf::fuzz::require(bool(again), "a loaded workflow's canonical JSON loads", again ? QString() : again.error().fullText());
    rf::fuzz::require(again->hash == definition->hash, "a loaded workflow's canonical JSON is canonical");
    rf::fuzz::require(!rf::toDot(*definition).isEmpty(), "a loaded workflow exports as a graph");
    return 0;
}
