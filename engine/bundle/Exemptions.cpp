// SPDX-License-Identifier: GPL-3.0-or-later
#include "Exemptions.h"

#include "core/JsonCheck.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>

namespace rf {

Result<ExemptionList> ExemptionList::parse(const QByteArray &json, const QString &source)
{
    const QString invalid = QStringLiteral("%1: invalid exemption list").arg(source);
    Result<QJsonObject> parsed = parseJsonObject(json, source, invalid, InputKind::Exemptions);
    if (!parsed)
        return parsed.error();

    JsonChecker check(source);
    const QJsonObject root = *parsed;
    check.unknownKeys(root, QStringLiteral("$"), {QStringLiteral("about"), QStringLiteral("exemptions")});
    check.string(root, QStringLiteral("$"), QStringLiteral("about"), false);
    const QJsonArray items = check.array(root, QStringLiteral("$"), QStringLiteral("exemptions"), true);
    if (root.contains(QStringLiteral("exemptions")) && items.isEmpty() && root.value(QStringLiteral("exemptions")).isArray())
        check.problem(
            QStringLiteral("$.exemptions"), QStringLiteral("must not be empty: withholding needs an exemption to name"));

    static const QRegularExpression idPattern(QStringLiteral("^[a-z][a-z0-9-]*$"));
    static const QStringList decisions {QStringLiteral("redact"), QStringLiteral("withhold")};
    ExemptionList list;
    for (qsizetype i = 0; i < items.size(); ++i) {
        const QString path = QStringLiteral("$.exemptions[%1]").arg(i);
        if (!items.at(i).isObject()) {
            check.problem(path, QStringLiteral("expected an object, found %1").arg(jsonTypeName(items.at(i))));
            continue;
        }
        const QJsonObject object = items.at(i).toObject();
        check.unknownKeys(object, path,
            {QStringLiteral("id"), QStringLiteral("title"), QStringLiteral("provision"), QStringLiteral("letter"),
                QStringLiteral("allows")});
        Exemption exemption;
        exemption.id = check.string(object, path, QStringLiteral("id"), true);
        if (!exemption.id.trimmed().isEmpty() && !idPattern.match(exemption.id).hasMatch())
            check.problem(path + QStringLiteral(".id"),
                QStringLiteral("\"%1\" is not a valid id (lower-case letters, digits and '-', starting with a letter)")
                    .arg(exemption.id));
        for (const Exemption &earlier : list.m_exemptions) {
            if (!exemption.id.isEmpty() && earlier.id == exemption.id)
                check.problem(path + QStringLiteral(".id"), QStringLiteral("duplicate id \"%1\"").arg(exemption.id));
        }
        exemption.title = check.string(object, path, QStringLiteral("title"), true);
        exemption.provision = check.string(object, path, QStringLiteral("provision"), true);
        exemption.letter = check.string(object, path, QStringLiteral("letter"), true);
        const QJsonArray allows = check.array(object, path, QStringLiteral("allows"), true);
        if (object.value(QStringLiteral("allows")).isArray() && allows.isEmpty())
            check.problem(path + QStringLiteral(".allows"), QStringLiteral("must not be empty (redact, withhold or both)"));
        for (qsizetype k = 0; k < allows.size(); ++k) {
            const QString decision = allows.at(k).toString();
            if (!decisions.contains(decision)) {
                check.problem(QStringLiteral("%1.allows[%2]").arg(path).arg(k),
                    QStringLiteral("%1 is not a decision (expected \"redact\" or \"withhold\")")
                        .arg(allows.at(k).isString() ? QLatin1Char('"') + decision + QLatin1Char('"')
                                                     : jsonTypeName(allows.at(k))));
                continue;
            }
            (decision == QLatin1String("redact") ? exemption.allowsRedact : exemption.allowsWithhold) = true;
        }
        list.m_exemptions.append(exemption);
    }
    if (!check.problems().isEmpty())
        return check.refusal(invalid);
    return list;
}

Result<ExemptionList> ExemptionList::load(const QString &path)
{
    Result<QByteArray> content = readInputFile(path, InputKind::Exemptions);
    if (!content)
        return content.error();
    return parse(*content, path);
}

const ExemptionList &ExemptionList::shipped()
{
    static const ExemptionList list = [] {
        Result<ExemptionList> loaded = load(QStringLiteral(":/bundle/exemptions.json"));
        // The shipped file is checked by the tests; a broken build is a bug.
        Q_ASSERT_X(loaded.ok(), "ExemptionList::shipped", "the shipped exemption list does not validate");
        return loaded ? *loaded : ExemptionList();
    }();
    return list;
}

const Exemption *ExemptionList::find(const QString &id) const
{
    for (const Exemption &exemption : m_exemptions) {
        if (exemption.id == id)
            return &exemption;
    }
    return nullptr;
}

QStringList ExemptionList::ids() const
{
    QStringList result;
    for (const Exemption &exemption : m_exemptions)
        result << exemption.id;
    return result;
}

} // namespace rf
