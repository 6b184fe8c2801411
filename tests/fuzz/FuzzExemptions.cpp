// SPDX-License-Identifier: GPL-3.0-or-later
// The exemptions officers may record (resources/bundle/exemptions.json):
// every exemption ExemptionList accepts is found by its id.
#include "FuzzSupport.h"

#include "bundle/Exemptions.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const bool started = rf::fuzz::quietStart();
    Q_UNUSED(started);
    const rf::Result<rf::ExemptionList> list
        = rf::ExemptionList::parse(rf::fuzz::bytes(data, size), QStringLiteral("exemptions.json"));
    rf::fuzz::requireExplained(list, "ExemptionList::parse");
    if (!list)
        return 0;
    rf::fuzz::require(list->ids().size() == list->exemptions().size(), "one id per exemption");
    for (const rf::Exemption &exemption : list->exemptions()) {
        const rf::Exemption *found = list->find(exemption.id);
        rf::fuzz::require(found != nullptr && found->id == exemption.id, "an exemption is found by its id", exemption.id);
    }
    return 0;
}
