// SPDX-License-Identifier: GPL-3.0-or-later
// A council's own notice templates (RIGHTSFLOW_TEMPLATES): the input is one
// notice, its NAME.txt, a NUL byte, then its NAME.html. Loaded as a folder the
// way the worker loads one; what NoticeTemplates accepts renders with every
// known placeholder given, and a value never reaches the HTML unescaped.
#include "FuzzSupport.h"

#include "mail/NoticeTemplates.h"

#include <QFile>
#include <QTemporaryDir>

namespace {

void writeFile(const QString &path, const QByteArray &content)
{
    QFile file(path);
    rf::fuzz::require(file.open(QIODevice::WriteOnly | QIODevice::Truncate) && file.write(content) == content.size(),
        "the scratch template is written", path);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const bool started = rf::fuzz::quietStart();
    Q_UNUSED(started);
    // One folder for the process, its two files rewritten for every input:
    // nothing of one run is left for the next.
    static const QTemporaryDir scratch;
    rf::fuzz::require(scratch.isValid(), "a scratch folder can be made");

    const QByteArray input = rf::fuzz::bytes(data, size);
    const qsizetype split = input.indexOf('\0');
    const QByteArray text = split < 0 ? input : input.left(split);
    const QByteArray html = split < 0 ? QByteArray() : input.mid(split + 1);
    writeFile(scratch.filePath(QStringLiteral("notice.txt")), text);
    writeFile(scratch.filePath(QStringLiteral("notice.html")), html);

    const rf::Result<rf::NoticeTemplates> templates = rf::NoticeTemplates::load(scratch.path());
    rf::fuzz::requireExplained(templates, "NoticeTemplates::load");
    if (!templates)
        return 0;
    rf::fuzz::require(templates->names() == QStringList {QStringLiteral("notice")}, "the one notice is loaded");

    static const QString marker = QStringLiteral("<x-fuzz a=\"1\">&amp;{{reference}}");
    QMap<QString, QString> values;
    for (const QString &name : rf::NoticeTemplates::knownPlaceholders())
        values.insert(name, marker);
    const rf::Result<rf::RenderedNotice> notice = templates->render(QStringLiteral("notice"), values);
    rf::fuzz::require(
        bool(notice), "an accepted notice renders with every placeholder given", notice ? QString() : notice.error().fullText());
    if (!html.contains("<x-fuzz"))
        rf::fuzz::require(!notice->html.contains(QLatin1String("<x-fuzz")), "a value is escaped in the HTML part");
    const rf::Result<rf::RenderedNotice> blank = templates->render(QStringLiteral("notice"), {});
    rf::fuzz::requireExplained(blank, "NoticeTemplates::render");
    return 0;
}
