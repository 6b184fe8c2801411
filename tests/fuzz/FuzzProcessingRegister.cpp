// SPDX-License-Identifier: GPL-3.0-or-later
// The processing register (RIGHTSFLOW_PROCESSING_REGISTER): what
// ProcessingRegister accepts gives the supplementary information of every
// system it lists, and of all of them at once.
#include "FuzzSupport.h"

#include "bundle/ProcessingRegister.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const bool started = rf::fuzz::quietStart();
    Q_UNUSED(started);
    const rf::Result<rf::ProcessingRegister> processing
        = rf::ProcessingRegister::parse(rf::fuzz::bytes(data, size), QStringLiteral("processing-register.json"));
    rf::fuzz::requireExplained(processing, "ProcessingRegister::parse");
    if (!processing)
        return 0;
    QStringList ids;
    for (const rf::SourceSystem &system : processing->systems()) {
        ids << system.id;
        rf::fuzz::require(processing->system(system.id) != nullptr, "a listed system is found by its id", system.id);
        const rf::Result<rf::SupplementaryInformation> one = processing->supplementaryInformation({system.id});
        rf::fuzz::require(bool(one), "a listed system has supplementary information", one ? QString() : one.error().fullText());
    }
    const rf::Result<rf::SupplementaryInformation> all = processing->supplementaryInformation(ids);
    rf::fuzz::require(bool(all), "all listed systems have supplementary information", all ? QString() : all.error().fullText());
    const rf::Result<rf::SupplementaryInformation> unknown
        = processing->supplementaryInformation({QStringLiteral("no-such-system-\u00e9")});
    rf::fuzz::require(
        !unknown || processing->system(QStringLiteral("no-such-system-\u00e9")) != nullptr, "an unknown system is refused");
    return 0;
}
