// SPDX-License-Identifier: GPL-3.0-or-later
// A bundle's manifest.json, as `rightsflow bundle verify` reads it from an
// archive somebody sent back: what Manifest accepts writes back as JSON that
// reads to the same manifest.
#include "FuzzSupport.h"

#include "bundle/Manifest.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const bool started = rf::fuzz::quietStart();
    Q_UNUSED(started);
    const rf::Result<rf::Manifest> manifest = rf::Manifest::parse(rf::fuzz::bytes(data, size), QStringLiteral("manifest.json"));
    rf::fuzz::requireExplained(manifest, "Manifest::parse");
    if (!manifest)
        return 0;
    const QByteArray written = manifest->toJson();
    const rf::Result<rf::Manifest> again = rf::Manifest::parse(written, QStringLiteral("written.json"));
    rf::fuzz::require(bool(again), "an accepted manifest's JSON is accepted", again ? QString() : again.error().fullText());
    rf::fuzz::require(again->toJson() == written, "an accepted manifest writes back to the same JSON");
    return 0;
}
