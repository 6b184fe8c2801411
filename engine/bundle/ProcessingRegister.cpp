// SPDX-License-Identifier: GPL-3.0-or-later
#include "ProcessingRegister.h"

#include "core/EmailAddress.h"
#include "core/JsonCheck.h"

#include <QFile>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QSet>

#include <cmath>

namespace rf {

namespace {

// The longest period a retention rule may name; anything longer is a typo
// (months written as days, say) rather than a policy.
constexpr int kMaxPeriodPart = 1000;

bool isId(const QString &text)
{
    static const QRegularExpression re(QStringLiteral("^[a-z][a-z0-9-]*$"));
    return re.match(text).hasMatch();
}

// The mailer's rule: the DPO's address is the Reply-To of every notice.
bool isEmail(const QString &text)
{
    return EmailAddress::parse(text).ok();
}

bool isNone(const QString &text)
{
    return text.trimmed().compare(QLatin1String("none"), Qt::CaseInsensitive) == 0;
}

enum class Presence { Required, Optional };
enum class Emptiness { Refused, Allowed };

// The processing register's own checks on top of the shared ones.
class Checker : public JsonChecker
{
public:
    using JsonChecker::JsonChecker;

    QString string(const QJsonObject &object, const QString &path, const QString &key, Presence presence)
    {
        return JsonChecker::string(object, path, key, presence == Presence::Required);
    }

    QString id(const QJsonObject &object, const QString &path)
    {
        const QString text = string(object, path, QStringLiteral("id"), Presence::Required);
        if (!text.trimmed().isEmpty() && !isId(text))
            problem(path + QStringLiteral(".id"),
                QStringLiteral("\"%1\" is not a valid id (lower-case letters, digits and '-', starting with a letter)")
                    .arg(text));
        return text;
    }

    QString email(const QJsonObject &object, const QString &path, const QString &key, Presence presence)
    {
        const QString text = string(object, path, key, presence);
        if (!text.isEmpty() && !isEmail(text))
            problem(path + QLatin1Char('.') + key, QStringLiteral("\"%1\" is not an e-mail address").arg(text));
        return text;
    }

    // An array of non-blank strings without repeats; a repeat is a copy-and-paste
    // slip that would print the same line twice in a letter.
    QStringList stringList(
        const QJsonObject &object, const QString &path, const QString &key, Presence presence, Emptiness emptiness)
    {
        const QJsonValue value = object.value(key);
        const QString at = path + QLatin1Char('.') + key;
        QStringList result;
        if (value.isUndefined()) {
            if (presence == Presence::Required)
                problem(at, QStringLiteral("missing (expected an array of strings)"));
            return result;
        }
        if (!value.isArray()) {
            problem(at, QStringLiteral("expected an array of strings, found %1").arg(jsonTypeName(value)));
            return result;
        }
        const QJsonArray array = value.toArray();
        if (emptiness == Emptiness::Refused && array.isEmpty())
            problem(at, QStringLiteral("must not be empty"));
        for (qsizetype i = 0; i < array.size(); ++i) {
            const QString itemPath = QStringLiteral("%1[%2]").arg(at).arg(i);
            if (!array.at(i).isString()) {
                problem(itemPath, QStringLiteral("expected a string, found %1").arg(jsonTypeName(array.at(i))));
                continue;
            }
            const QString text = array.at(i).toString();
            if (text.trimmed().isEmpty()) {
                problem(itemPath, QStringLiteral("must not be empty"));
                continue;
            }
            if (const qsizetype first = result.indexOf(text); first >= 0) {
                problem(itemPath, QStringLiteral("duplicate entry \"%1\" (the same as [%2])").arg(text).arg(first));
                continue;
            }
            result << text;
        }
        return result;
    }

    std::optional<QJsonObject> object(const QJsonObject &parent, const QString &path, const QString &key, Presence presence)
    {
        const QJsonValue value = parent.value(key);
        const QString at = path + QLatin1Char('.') + key;
        if (value.isUndefined()) {
            if (presence == Presence::Required)
                problem(at, QStringLiteral("missing (expected an object)"));
            return std::nullopt;
        }
        if (!value.isObject()) {
            problem(at, QStringLiteral("expected an object, found %1").arg(jsonTypeName(value)));
            return std::nullopt;
        }
        return value.toObject();
    }
};

std::optional<RetentionPeriod> readRetentionPeriod(Checker &check, const QJsonObject &object, const QString &path)
{
    check.unknownKeys(object, path, {QStringLiteral("years"), QStringLiteral("months"), QStringLiteral("days")});
    RetentionPeriod period;
    bool valid = true;
    const auto part = [&](const QString &key, int &into) {
        const QJsonValue value = object.value(key);
        if (value.isUndefined())
            return;
        const double number = value.toDouble(-1);
        if (!value.isDouble() || number < 0 || number > kMaxPeriodPart || std::floor(number) != number) {
            check.problem(path + QLatin1Char('.') + key,
                QStringLiteral("expected a whole number from 0 to %1, found %2")
                    .arg(kMaxPeriodPart)
                    .arg(value.isDouble() ? QString::number(number) : jsonTypeName(value)));
            valid = false;
            return;
        }
        into = static_cast<int>(number);
    };
    part(QStringLiteral("years"), period.years);
    part(QStringLiteral("months"), period.months);
    part(QStringLiteral("days"), period.days);
    if (valid && period.years == 0 && period.months == 0 && period.days == 0) {
        check.problem(path, QStringLiteral("a retention period needs at least one of \"years\", \"months\" or \"days\" above 0"));
        valid = false;
    }
    if (!valid)
        return std::nullopt;
    return period;
}

AutomatedDecision readAutomatedDecision(Checker &check, const QJsonObject &object, const QString &path)
{
    check.unknownKeys(
        object, path, {QStringLiteral("used"), QStringLiteral("logic"), QStringLiteral("significance"), QStringLiteral("note")});
    AutomatedDecision decision;
    const QJsonValue used = object.value(QStringLiteral("used"));
    if (used.isUndefined())
        check.problem(path + QStringLiteral(".used"), QStringLiteral("missing (expected true or false)"));
    else if (!used.isBool())
        check.problem(path + QStringLiteral(".used"), QStringLiteral("expected true or false, found %1").arg(jsonTypeName(used)));
    decision.used = used.toBool();
    decision.note = check.string(object, path, QStringLiteral("note"), Presence::Optional);
    if (decision.used) {
        decision.logic = check.string(object, path, QStringLiteral("logic"), Presence::Required);
        decision.significance = check.string(object, path, QStringLiteral("significance"), Presence::Required);
    } else if (used.isBool()) {
        // "logic" and "significance" describe a solely automated decision; text
        // about processing that is not one belongs in "note", so the letter does
        // not present it as such a decision.
        for (const QString &key : {QStringLiteral("logic"), QStringLiteral("significance")}) {
            if (object.contains(key))
                check.problem(path + QLatin1Char('.') + key,
                    QStringLiteral("only for solely automated decisions (\"used\": true); describe other automated "
                                   "processing in \"note\""));
        }
    }
    return decision;
}

SourceSystem readSystem(Checker &check, const QJsonObject &object, const QString &path)
{
    check.unknownKeys(object, path,
        {QStringLiteral("id"), QStringLiteral("name"), QStringLiteral("department"), QStringLiteral("description"),
            QStringLiteral("purposes"), QStringLiteral("lawful-basis"), QStringLiteral("lawful-basis-detail"),
            QStringLiteral("special-categories"), QStringLiteral("categories"), QStringLiteral("subject-provided"),
            QStringLiteral("recipients"), QStringLiteral("international-transfers"), QStringLiteral("retention"),
            QStringLiteral("retention-period"), QStringLiteral("sources"), QStringLiteral("automated-decision")});
    SourceSystem system;
    system.id = check.id(object, path);
    system.name = check.string(object, path, QStringLiteral("name"), Presence::Required);
    system.department = check.string(object, path, QStringLiteral("department"), Presence::Required);
    system.description = check.string(object, path, QStringLiteral("description"), Presence::Optional);
    system.purposes = check.stringList(object, path, QStringLiteral("purposes"), Presence::Required, Emptiness::Refused);

    system.lawfulBasis = check.string(object, path, QStringLiteral("lawful-basis"), Presence::Required);
    if (!system.lawfulBasis.trimmed().isEmpty() && !ProcessingRegister::knownLawfulBases().contains(system.lawfulBasis))
        check.problem(path + QStringLiteral(".lawful-basis"),
            QStringLiteral("unknown lawful basis \"%1\" (expected one of: %2)")
                .arg(system.lawfulBasis, ProcessingRegister::knownLawfulBases().join(QStringLiteral(", "))));
    system.lawfulBasisDetail = check.string(object, path, QStringLiteral("lawful-basis-detail"), Presence::Required);

    const QJsonValue special = object.value(QStringLiteral("special-categories"));
    const QString specialPath = path + QStringLiteral(".special-categories");
    if (!special.isUndefined() && !special.isArray())
        check.problem(specialPath, QStringLiteral("expected an array of objects, found %1").arg(jsonTypeName(special)));
    const QJsonArray specialArray = special.toArray();
    for (qsizetype i = 0; i < specialArray.size(); ++i) {
        const QString itemPath = QStringLiteral("%1[%2]").arg(specialPath).arg(i);
        if (!specialArray.at(i).isObject()) {
            check.problem(itemPath, QStringLiteral("expected an object, found %1").arg(jsonTypeName(specialArray.at(i))));
            continue;
        }
        const QJsonObject item = specialArray.at(i).toObject();
        check.unknownKeys(item, itemPath, {QStringLiteral("category"), QStringLiteral("condition")});
        SpecialCategory entry;
        entry.category = check.string(item, itemPath, QStringLiteral("category"), Presence::Required);
        entry.condition = check.string(item, itemPath, QStringLiteral("condition"), Presence::Required);
        if (!entry.category.trimmed().isEmpty()) {
            if (!ProcessingRegister::knownSpecialCategories().contains(entry.category))
                check.problem(itemPath + QStringLiteral(".category"),
                    QStringLiteral("\"%1\" is not an Art 9 special category (expected one of: %2)")
                        .arg(entry.category, ProcessingRegister::knownSpecialCategories().join(QStringLiteral(", "))));
            for (const SpecialCategory &other : std::as_const(system.specialCategories)) {
                if (other.category == entry.category)
                    check.problem(itemPath + QStringLiteral(".category"),
                        QStringLiteral("duplicate special category \"%1\"").arg(entry.category));
            }
        }
        system.specialCategories.append(entry);
    }

    system.categories = check.stringList(object, path, QStringLiteral("categories"), Presence::Required, Emptiness::Refused);
    system.subjectProvided
        = check.stringList(object, path, QStringLiteral("subject-provided"), Presence::Optional, Emptiness::Allowed);
    for (qsizetype i = 0; i < system.subjectProvided.size(); ++i) {
        // Naming the category exactly keeps the portability bundle and the
        // letter's list of categories in step.
        if (!system.categories.contains(system.subjectProvided.at(i)))
            check.problem(QStringLiteral("%1.subject-provided[%2]").arg(path).arg(i),
                QStringLiteral("\"%1\" is not one of this system's categories (copy the entry from \"categories\")")
                    .arg(system.subjectProvided.at(i)));
    }
    system.recipients = check.stringList(object, path, QStringLiteral("recipients"), Presence::Required, Emptiness::Allowed);
    system.internationalTransfers = check.string(object, path, QStringLiteral("international-transfers"), Presence::Required);
    system.retention = check.string(object, path, QStringLiteral("retention"), Presence::Required);
    if (const auto period = check.object(object, path, QStringLiteral("retention-period"), Presence::Optional))
        system.retentionPeriod = readRetentionPeriod(check, *period, path + QStringLiteral(".retention-period"));
    system.sources = check.stringList(object, path, QStringLiteral("sources"), Presence::Required, Emptiness::Allowed);
    if (const auto decision = check.object(object, path, QStringLiteral("automated-decision"), Presence::Required))
        system.automatedDecision = readAutomatedDecision(check, *decision, path + QStringLiteral(".automated-decision"));
    return system;
}

void appendUnique(QStringList &into, const QStringList &items)
{
    for (const QString &item : items) {
        if (!into.contains(item))
            into << item;
    }
}

} // namespace

bool SourceSystem::portabilityApplies() const
{
    return !subjectProvided.isEmpty() && (lawfulBasis == QLatin1String("consent") || lawfulBasis == QLatin1String("contract"));
}

bool SourceSystem::objectionApplies() const
{
    return lawfulBasis == QLatin1String("public-task") || lawfulBasis == QLatin1String("legitimate-interests");
}

bool SourceSystem::consentCanBeWithdrawn() const
{
    return lawfulBasis == QLatin1String("consent");
}

bool SourceSystem::erasureLimitedByLaw() const
{
    return lawfulBasis == QLatin1String("legal-obligation") || lawfulBasis == QLatin1String("public-task");
}

const QStringList &ProcessingRegister::knownLawfulBases()
{
    static const QStringList bases {QStringLiteral("consent"), QStringLiteral("contract"), QStringLiteral("legal-obligation"),
        QStringLiteral("vital-interests"), QStringLiteral("public-task"), QStringLiteral("legitimate-interests")};
    return bases;
}

QString ProcessingRegister::lawfulBasisArticle(const QString &basis)
{
    const qsizetype index = knownLawfulBases().indexOf(basis);
    if (index < 0)
        return {};
    return QStringLiteral("Article 6(1)(%1)").arg(QChar(u'a' + static_cast<char16_t>(index)));
}

const QStringList &ProcessingRegister::knownSpecialCategories()
{
    static const QStringList categories {QStringLiteral("racial-or-ethnic-origin"), QStringLiteral("political-opinions"),
        QStringLiteral("religious-or-philosophical-beliefs"), QStringLiteral("trade-union-membership"), QStringLiteral("genetic"),
        QStringLiteral("biometric"), QStringLiteral("health"), QStringLiteral("sex-life-or-sexual-orientation")};
    return categories;
}

Result<ProcessingRegister> ProcessingRegister::parse(const QByteArray &json, const QString &source)
{
    const QString invalid = QStringLiteral("%1: invalid processing register").arg(source);
    Result<QJsonObject> parsed = parseJsonObject(json, source, invalid, InputKind::ProcessingRegister);
    if (!parsed)
        return parsed.error();

    Checker check(source);
    const QJsonObject root = *parsed;
    const QString top = QStringLiteral("$");
    ProcessingRegister reg;
    reg.m_source = source;

    check.unknownKeys(root, top,
        {QStringLiteral("version"), QStringLiteral("date"), QStringLiteral("controller"), QStringLiteral("dpo"),
            QStringLiteral("ico"), QStringLiteral("systems")});
    reg.m_version = check.string(root, top, QStringLiteral("version"), Presence::Required);
    const QString date = check.string(root, top, QStringLiteral("date"), Presence::Required);
    if (!date.trimmed().isEmpty()) {
        static const QRegularExpression isoDate(QStringLiteral("^\\d{4}-\\d{2}-\\d{2}$"));
        reg.m_date = QDate::fromString(date, Qt::ISODate);
        if (!isoDate.match(date).hasMatch() || !reg.m_date.isValid())
            check.problem(QStringLiteral("$.date"), QStringLiteral("\"%1\" is not a date (expected YYYY-MM-DD)").arg(date));
    }

    if (const auto object = check.object(root, top, QStringLiteral("controller"), Presence::Required)) {
        const QString path = QStringLiteral("$.controller");
        check.unknownKeys(*object, path,
            {QStringLiteral("name"), QStringLiteral("address"), QStringLiteral("email"), QStringLiteral("website")});
        reg.m_controller.name = check.string(*object, path, QStringLiteral("name"), Presence::Required);
        reg.m_controller.address = check.string(*object, path, QStringLiteral("address"), Presence::Required);
        reg.m_controller.email = check.email(*object, path, QStringLiteral("email"), Presence::Optional);
        reg.m_controller.website = check.string(*object, path, QStringLiteral("website"), Presence::Optional);
    }
    if (const auto object = check.object(root, top, QStringLiteral("dpo"), Presence::Required)) {
        const QString path = QStringLiteral("$.dpo");
        check.unknownKeys(
            *object, path, {QStringLiteral("name"), QStringLiteral("email"), QStringLiteral("address"), QStringLiteral("phone")});
        reg.m_dpo.name = check.string(*object, path, QStringLiteral("name"), Presence::Required);
        reg.m_dpo.email = check.email(*object, path, QStringLiteral("email"), Presence::Required);
        reg.m_dpo.address = check.string(*object, path, QStringLiteral("address"), Presence::Optional);
        reg.m_dpo.phone = check.string(*object, path, QStringLiteral("phone"), Presence::Optional);
    }
    if (const auto object = check.object(root, top, QStringLiteral("ico"), Presence::Required)) {
        const QString path = QStringLiteral("$.ico");
        check.unknownKeys(*object, path,
            {QStringLiteral("name"), QStringLiteral("address"), QStringLiteral("phone"), QStringLiteral("website")});
        reg.m_complaints.name = check.string(*object, path, QStringLiteral("name"), Presence::Required);
        reg.m_complaints.address = check.string(*object, path, QStringLiteral("address"), Presence::Required);
        reg.m_complaints.phone = check.string(*object, path, QStringLiteral("phone"), Presence::Required);
        reg.m_complaints.website = check.string(*object, path, QStringLiteral("website"), Presence::Required);
    }

    const QJsonValue systems = root.value(QStringLiteral("systems"));
    if (systems.isUndefined())
        check.problem(QStringLiteral("$.systems"), QStringLiteral("missing (expected an array of systems)"));
    else if (!systems.isArray())
        check.problem(
            QStringLiteral("$.systems"), QStringLiteral("expected an array of systems, found %1").arg(jsonTypeName(systems)));
    else if (systems.toArray().isEmpty())
        check.problem(QStringLiteral("$.systems"), QStringLiteral("must not be empty: describe at least one source system"));
    const QJsonArray systemArray = systems.toArray();
    QHash<QString, qsizetype> seen;
    for (qsizetype i = 0; i < systemArray.size(); ++i) {
        const QString path = QStringLiteral("$.systems[%1]").arg(i);
        if (!systemArray.at(i).isObject()) {
            check.problem(path, QStringLiteral("expected an object, found %1").arg(jsonTypeName(systemArray.at(i))));
            continue;
        }
        SourceSystem system = readSystem(check, systemArray.at(i).toObject(), path);
        if (!system.id.isEmpty()) {
            if (const auto it = seen.constFind(system.id); it != seen.constEnd())
                check.problem(path + QStringLiteral(".id"),
                    QStringLiteral("duplicate system id \"%1\" (the same as $.systems[%2])").arg(system.id).arg(it.value()));
            else
                seen.insert(system.id, i);
        }
        reg.m_systems.append(std::move(system));
    }

    if (!check.problems().isEmpty())
        return check.refusal(invalid);
    return reg;
}

Result<ProcessingRegister> ProcessingRegister::load(const QString &path)
{
    Result<QByteArray> content = readInputFile(path, InputKind::ProcessingRegister);
    if (!content)
        return content.error();
    return parse(*content, path);
}

const SourceSystem *ProcessingRegister::system(const QString &id) const
{
    for (const SourceSystem &s : m_systems) {
        if (s.id == id)
            return &s;
    }
    return nullptr;
}

Result<SupplementaryInformation> ProcessingRegister::supplementaryInformation(const QStringList &ids) const
{
    QStringList unknownIds;
    for (const QString &id : ids) {
        if (!system(id) && !unknownIds.contains(id))
            unknownIds << id;
    }
    QStringList unknown;
    for (const QString &id : std::as_const(unknownIds))
        unknown << QStringLiteral("%1: no system \"%2\" in the processing register").arg(m_source, id);
    if (!unknown.isEmpty())
        return makeError(ErrorCode::NotFound,
            QStringLiteral("%1: the processing register does not describe every system searched; add the missing systems")
                .arg(m_source),
            unknown);

    const QSet<QString> wanted(ids.cbegin(), ids.cend());
    SupplementaryInformation info;
    info.complaints = m_complaints;
    info.controller = m_controller;
    info.dpo = m_dpo;
    info.registerVersion = m_version;
    info.registerDate = m_date;
    for (const SourceSystem &s : m_systems) {
        if (!wanted.contains(s.id))
            continue;
        SystemDisclosure d;
        d.systemId = s.id;
        d.systemName = s.name;
        d.department = s.department;
        d.purposes = s.purposes;
        d.lawfulBasis = s.lawfulBasis;
        d.lawfulBasisArticle = lawfulBasisArticle(s.lawfulBasis);
        d.lawfulBasisDetail = s.lawfulBasisDetail;
        d.categories = s.categories;
        d.specialCategories = s.specialCategories;
        d.recipients = s.recipients;
        d.internationalTransfers = s.internationalTransfers;
        d.retention = s.retention;
        d.retentionPeriod = s.retentionPeriod;
        d.objectionApplies = s.objectionApplies();
        d.erasureLimitedByLaw = s.erasureLimitedByLaw();
        d.consentCanBeWithdrawn = s.consentCanBeWithdrawn();
        d.portabilityApplies = s.portabilityApplies();
        d.sources = s.sources;
        d.automatedDecision = s.automatedDecision;

        appendUnique(info.purposes, s.purposes);
        appendUnique(info.categories, s.categories);
        appendUnique(info.recipients, s.recipients);
        if (!isNone(s.internationalTransfers))
            appendUnique(info.internationalTransfers, {s.internationalTransfers});
        appendUnique(info.sources, s.sources);
        if (s.automatedDecision.used)
            info.automatedDecisionSystems << s.id;
        info.systems.append(std::move(d));
    }
    return info;
}

} // namespace rf
