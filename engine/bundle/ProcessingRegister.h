// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/Result.h"

#include <QByteArray>
#include <QDate>
#include <QList>
#include <QString>
#include <QStringList>

#include <optional>

namespace rf {

// The processing register: what the council does with personal data in each of
// its source systems (purposes, categories, recipients, retention, sources,
// lawful basis, automated decision-making), read from a JSON file an
// administrator maintains. An access response draws the Art 15(1)(a)-(h)
// supplementary information from it for the systems where the subject's data was
// found, so the letter says what the register says and nothing is retyped per
// case. The file is validated strictly: every problem is reported at once as
// "FILE: JSON-PATH: what is wrong". resources/processing-register.md documents
// the format.

// A retention period a program can compute with, next to the text a citizen
// reads. Measured from the event the text names (the call, the collection, the
// closing of the account).
struct RetentionPeriod {
    int years = 0;
    int months = 0;
    int days = 0;

    friend bool operator==(const RetentionPeriod &, const RetentionPeriod &) = default;
};

// An Art 9 special category of personal data the system holds, with the Art 9(2)
// condition (and, where the condition needs one, the DPA 2018 Sch 1 condition)
// the council relies on.
struct SpecialCategory {
    QString category; // one of ProcessingRegister::knownSpecialCategories()
    QString condition;

    friend bool operator==(const SpecialCategory &, const SpecialCategory &) = default;
};

// Art 15(1)(h) and Art 22A-22D: whether decisions about people are taken solely
// by automated means. `note` describes, truthfully, automated processing that
// does not amount to such a decision (e.g. data matching whose every flag an
// officer reviews), so the letter need not be silent about it.
struct AutomatedDecision {
    bool used = false;
    QString logic; // required when used
    QString significance; // required when used: the envisaged consequences
    QString note;

    friend bool operator==(const AutomatedDecision &, const AutomatedDecision &) = default;
};

struct SourceSystem {
    QString id; // lower-case letters, digits and '-'; unique in the register
    QString name;
    QString department;
    QString description;
    QStringList purposes; // (a), never empty
    QString lawfulBasis; // one of ProcessingRegister::knownLawfulBases()
    QString lawfulBasisDetail; // the law, task or contract relied on
    QList<SpecialCategory> specialCategories;
    QStringList categories; // (b), never empty
    QStringList subjectProvided; // the categories (exact entries of `categories`) the subject gave us: Art 20
    QStringList recipients; // (c); empty: no one outside the council
    QString internationalTransfers; // (c) and Art 15(2): "none" or the transfers and their safeguards
    QString retention; // (d), as a citizen reads it
    std::optional<RetentionPeriod> retentionPeriod;
    QStringList sources; // (g): where data came from other than the subject; empty: only from the subject
    AutomatedDecision automatedDecision; // (h)

    // Art 20(1)(a): portability covers what the subject provided, processed on
    // consent or contract (processing by automated means is assumed for a source
    // system). Art 20(3): never for public-task processing.
    [[nodiscard]] bool portabilityApplies() const;
    // Art 21(1): objection applies to public-task and legitimate-interests processing.
    [[nodiscard]] bool objectionApplies() const;
    // Art 7(3): consent can be withdrawn.
    [[nodiscard]] bool consentCanBeWithdrawn() const;
    // Art 17(3)(b): erasure may be refused where the processing is needed for a
    // legal obligation or a public task.
    [[nodiscard]] bool erasureLimitedByLaw() const;
};

struct Controller {
    QString name;
    QString address;
    QString email;
    QString website;
};

struct DpoContact {
    QString name; // a role is enough: "Data Protection Officer"
    QString email;
    QString address;
    QString phone;
};

// Art 15(1)(f): where to complain. Kept in the file, not in code, so a change of
// the regulator's address is a configuration change.
struct ComplaintAuthority {
    QString name;
    QString address;
    QString phone;
    QString website;
};

// One system's part of the supplementary information, with the article
// letters it answers.
struct SystemDisclosure {
    QString systemId;
    QString systemName;
    QString department;
    QStringList purposes; // (a)
    QString lawfulBasis; // (a): the basis of the purposes
    QString lawfulBasisArticle; // "Article 6(1)(c)"
    QString lawfulBasisDetail;
    QStringList categories; // (b)
    QList<SpecialCategory> specialCategories; // (b)
    QStringList recipients; // (c)
    QString internationalTransfers; // (c)
    QString retention; // (d)
    std::optional<RetentionPeriod> retentionPeriod; // (d)
    // (e): which of the rights the lawful basis shapes. Rectification and
    // restriction always apply; the letter states them in its own words.
    bool objectionApplies = false;
    bool erasureLimitedByLaw = false;
    bool consentCanBeWithdrawn = false;
    bool portabilityApplies = false;
    QStringList sources; // (g)
    AutomatedDecision automatedDecision; // (h)
};

// Art 15(1)(a)-(h) for a set of systems, as data for the letter writer. Per
// system in register order (the order of the file), whatever order the ids were
// asked in. The unions merge the systems' lists: the first occurrence of each
// exact text is kept, in register order and then in each list's order.
struct SupplementaryInformation {
    QList<SystemDisclosure> systems;
    QStringList purposes; // (a) union
    QStringList categories; // (b) union
    QStringList recipients; // (c) union
    QStringList internationalTransfers; // (c) union, without "none"
    QStringList sources; // (g) union; empty: everything came from the subject
    QStringList automatedDecisionSystems; // (h) ids of the systems with solely automated decisions
    ComplaintAuthority complaints; // (f)
    Controller controller;
    DpoContact dpo;
    QString registerVersion;
    QDate registerDate;
};

class ProcessingRegister
{
public:
    [[nodiscard]] static Result<ProcessingRegister> parse(const QByteArray &json, const QString &source);
    [[nodiscard]] static Result<ProcessingRegister> load(const QString &path);

    // The Art 6(1)(a)-(f) bases as written in the file, in the article's order.
    [[nodiscard]] static const QStringList &knownLawfulBases();
    // "Article 6(1)(e)" for "public-task"; empty for an unknown basis.
    [[nodiscard]] static QString lawfulBasisArticle(const QString &basis);
    // The Art 9(1) categories as written in the file.
    [[nodiscard]] static const QStringList &knownSpecialCategories();

    [[nodiscard]] const QString &source() const { return m_source; }
    [[nodiscard]] const QString &version() const { return m_version; }
    [[nodiscard]] const QDate &date() const { return m_date; }
    [[nodiscard]] const Controller &controller() const { return m_controller; }
    [[nodiscard]] const DpoContact &dpo() const { return m_dpo; }
    [[nodiscard]] const ComplaintAuthority &complaints() const { return m_complaints; }
    [[nodiscard]] const QList<SourceSystem> &systems() const { return m_systems; }
    // Null when the register has no such system.
    [[nodiscard]] const SourceSystem *system(const QString &id) const;

    // The supplementary information for the systems `ids` (order and repeats
    // ignored). An id the register does not know is an error (NotFound, one
    // detail line per id): a letter must not leave out a system silently.
    [[nodiscard]] Result<SupplementaryInformation> supplementaryInformation(const QStringList &ids) const;

private:
    QString m_source;
    QString m_version;
    QDate m_date;
    Controller m_controller;
    DpoContact m_dpo;
    ComplaintAuthority m_complaints;
    QList<SourceSystem> m_systems;
};

} // namespace rf
