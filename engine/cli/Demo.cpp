// SPDX-License-Identifier: GPL-3.0-or-later
#include "Demo.h"

#include "bundle/BundleVerifier.h"
#include "bundle/Exemptions.h"
#include "bundle/ProcessingRegister.h"

#include <QBuffer>
#include <QDir>

namespace rf {

namespace {

IntakeForm form(const QString &right, const QString &channel, const QString &name, const QString &email, const QString &postcode,
    const QString &scope, const QString &assignee, int daysAgo, const QDateTime &now)
{
    IntakeForm f;
    f.right = right;
    f.channel = channel;
    f.requester = Person {name, email, {}, {}, postcode};
    f.scope = scope;
    f.assignee = assignee;
    f.received = now.addDays(-daysAgo);
    return f;
}

} // namespace

Result<QString> Demo::file(const QString &title, const IntakeForm &f)
{
    m_out << Qt::endl << "== " << title << Qt::endl;
    Result<FiledRequest> filed = m_engine.fileRequest(f, QStringLiteral("intake"));
    if (!filed)
        return filed.error();
    m_out << "   filed " << filed->request.reference << ": " << f.right << " by " << f.channel << " from " << f.requester.name
          << ", workflow " << filed->request.workflowId << " (version " << filed->request.workflowHash.left(12) << ")"
          << Qt::endl;
    const Deadline &deadline = filed->request.deadline;
    if (deadline.started)
        m_out << "   due by the end of " << DeadlineCalculator::britishDate(deadline.due) << " (rules " << deadline.ruleSet
              << (deadline.due != deadline.unrolledDue ? QStringLiteral(", rolled past non-working days") : QString()) << ")"
              << Qt::endl;
    if (!filed->possibleDuplicates.isEmpty())
        m_out << "   flagged as a possible duplicate of " << filed->possibleDuplicates.join(QStringLiteral(", "))
              << " (filed anyway; an officer decides)" << Qt::endl;
    return filed->request.reference;
}

Status Demo::drive(const QString &reference, const QList<Step> &steps)
{
    Result<Request> start = m_engine.request(reference);
    if (!start)
        return start.error();
    QDate lastDue = start->deadline.due;
    for (const Step &step : steps) {
        Result<FireOutcome> outcome = m_engine.fire(reference, step.action, step.user, step.inputs, step.note);
        if (step.expectRefusal) {
            if (outcome)
                return makeError(ErrorCode::Refused,
                    QStringLiteral("demo: %1 '%2' by %3 should have been refused but was allowed")
                        .arg(reference, step.action, step.user));
            m_out << "   " << QStringLiteral("%1").arg(step.user, -6) << QStringLiteral("%1").arg(step.action, -26)
                  << "refused, as it should be: " << outcome.error().message << Qt::endl;
            for (const QString &detail : outcome.error().details)
                m_out << "         " << detail << Qt::endl;
            continue;
        }
        if (!outcome)
            return makeError(outcome.error().code,
                QStringLiteral("demo: %1 '%2' by %3 failed: %4").arg(reference, step.action, step.user, outcome.error().message),
                outcome.error().details);
        m_out << "   " << QStringLiteral("%1").arg(step.user, -6) << QStringLiteral("%1").arg(step.action, -26)
              << outcome->event.fromState << " -> " << outcome->event.toState;
        if (!outcome->queued.isEmpty()) {
            QStringList queued;
            for (const OutboxMessage &m : outcome->queued)
                queued << m.templateName + QStringLiteral(" (") + m.channel + QLatin1Char(')');
            m_out << "   queued: " << queued.join(QStringLiteral(", "));
        }
        if (outcome->request.deadline.due != lastDue && outcome->request.deadline.started)
            m_out << "   due now " << DeadlineCalculator::britishDate(outcome->request.deadline.due);
        lastDue = outcome->request.deadline.due;
        m_out << Qt::endl;
    }
    return {};
}

Status Demo::caseFile(const QString &reference)
{
    m_out << "   -- the case file: what alice found in the council's systems" << Qt::endl;
    Result<ProcessingRegister> processing = ProcessingRegister::load(QStringLiteral(":/bundle/processing-register.example.json"));
    if (!processing)
        return processing.error();
    m_processing = std::make_shared<ProcessingRegister>(*processing);
    struct Found {
        QString kind;
        QString name;
        QByteArray bytes;
        QString source;
        QString category;
        QDate date;
    };
    const QByteArray bill = QByteArrayLiteral("Council Tax bill 2026/27\nAccount CT-0042, Band C\nAnnual charge: GBP 1,842.16\n"
                                              "10 instalments of GBP 184.22 from 1 April 2026\n");
    const QByteArray transcript
        = QByteArrayLiteral("12 Feb 2026 10:14 Margaret Ellis: My neighbour at 5 Marsh Lane, Mr D. Jones, says the bins...\n"
                            "12 Feb 2026 10:15 Adviser: I can book a bulky waste collection for you.\n");
    const QByteArray neighbour = QByteArrayLiteral("Complaint from Mr D. Jones about bins left at 3 Marsh Lane\n");
    const QList<Found> found {
        {CaseItem::kRecords, QStringLiteral("council-tax-account.json"),
            QByteArrayLiteral(
                R"({"columns": ["date", "description", "amount_gbp", "balance_gbp"], "records": [)"
                R"({"date": "2026-03-01", "description": "Annual bill 2026/27", "amount_gbp": 1842.16, "balance_gbp": 1842.16},)"
                R"({"date": "2026-04-01", "description": "Direct Debit", "amount_gbp": -184.22, "balance_gbp": 1657.94},)"
                R"({"date": "2026-05-01", "description": "Direct Debit", "amount_gbp": -184.22, "balance_gbp": 1473.72}]})"),
            QStringLiteral("council-tax"), QStringLiteral("Bills, payments and arrears"), QDate(2026, 5, 1)},
        {CaseItem::kDocument, QStringLiteral("Council Tax bill 2026-27.txt"), bill, QStringLiteral("council-tax"),
            QStringLiteral("Bills, payments and arrears"), QDate(2026, 3, 1)},
        {CaseItem::kDocument, QStringLiteral("Webchat 12 Feb 2026.txt"), transcript, QStringLiteral("webchat"),
            QStringLiteral("The transcript of the chat"), QDate(2026, 2, 12)},
        {CaseItem::kDocument, QStringLiteral("Neighbour complaint.txt"), neighbour, QStringLiteral("crm"),
            QStringLiteral("Notes of your calls"), QDate(2026, 2, 13)},
    };
    for (const Found &f : found) {
        QBuffer content;
        content.setData(f.bytes);
        content.open(QIODevice::ReadOnly);
        NewItem item {
            f.kind, f.name, &content, f.kind == CaseItem::kRecords ? f.bytes : QByteArray(), f.source, f.category, f.date};
        Result<CaseItem> added = m_engine.addItem(reference, QStringLiteral("alice"), item, *m_processing);
        if (!added)
            return added.error();
        m_out << "   alice  item add " << added->number << "  " << added->name << " (" << added->source << ")" << Qt::endl;
    }
    return {};
}

Status Demo::bundle(const QString &reference)
{
    m_out << "   -- marking the case file and building the response bundle" << Qt::endl;
    const QByteArray redacted
        = QByteArrayLiteral("12 Feb 2026 10:14 Margaret Ellis: My neighbour at [redacted], [redacted], says the bins...\n"
                            "12 Feb 2026 10:15 Adviser: I can book a bulky waste collection for you.\n");
    QBuffer copy;
    copy.setData(redacted);
    copy.open(QIODevice::ReadOnly);
    const QList<std::pair<int, ItemMarking>> marks {
        {1, ItemMarking {CaseItem::kDisclosed, {}, nullptr, {}}},
        {2, ItemMarking {CaseItem::kDisclosed, {}, nullptr, {}}},
        {3,
            ItemMarking {
                CaseItem::kRedacted, QStringLiteral("third-party"), &copy, QStringLiteral("Webchat 12 Feb 2026 redacted.txt")}},
        {4, ItemMarking {CaseItem::kWithheld, QStringLiteral("third-party"), nullptr, {}}},
    };
    for (const auto &[number, marking] : marks) {
        Result<CaseItem> marked
            = m_engine.markItem(reference, QStringLiteral("alice"), number, marking, ExemptionList::shipped());
        if (!marked)
            return marked.error();
        m_out << "   alice  item mark " << number << "  " << marked->disposition
              << (marked->exemption.isEmpty() ? QString() : QStringLiteral(" (%1)").arg(marked->exemption)) << Qt::endl;
    }
    const QString path = QDir(m_bundleDir).filePath(reference + QStringLiteral(".zip"));
    Result<BuiltBundle> built
        = m_engine.buildBundle(reference, QStringLiteral("alice"), path, *m_processing, ExemptionList::shipped());
    if (!built)
        return built.error();
    m_bundlePath = path;
    m_out << "   alice  bundle build  " << QDir::toNativeSeparators(path) << ": " << built->entries << " files, " << built->size
          << " bytes, sha256 " << built->sha256.left(12) << "... (recorded in the audit trail)" << Qt::endl;
    Result<BundleCheck> check = BundleVerifier::verify(path);
    if (!check)
        return check.error();
    m_out << "          bundle verify: " << (check->intact() ? "intact" : "NOT intact") << ", " << check->entriesChecked
          << " files checked against manifest.json" << Qt::endl;
    return {};
}

Status Demo::run()
{
    Store &store = m_engine.store();
    RequestFilter any;
    any.limit = 1;
    Result<QList<RequestSummary>> existing = store.listRequests(any);
    if (!existing)
        return existing.error();
    if (!existing->isEmpty())
        return makeError(ErrorCode::Invalid,
            QStringLiteral("%1 already holds requests; run the demo on a fresh register (e.g. --db /tmp/demo.sqlite)")
                .arg(store.describe()));

    const QDateTime now = m_engine.clock().now();
    m_out << "Rightsflow demo on " << store.describe() << Qt::endl;
    m_out << "Workflows in use:";
    for (const WorkflowDefinition &def : m_engine.library().all())
        m_out << " " << def.id;
    m_out << Qt::endl << Qt::endl << "Users:" << Qt::endl;
    const std::tuple<QString, QString, QString> users[] = {
        {QStringLiteral("ines"), QStringLiteral("admin"), QStringLiteral("ig.admin@council.example")},
        {QStringLiteral("alice"), QStringLiteral("officer"), QStringLiteral("alice.ig@council.example")},
        {QStringLiteral("bilal"), QStringLiteral("officer"), QStringLiteral("bilal.ig@council.example")},
        {QStringLiteral("dana"), QStringLiteral("dpo"), QStringLiteral("dpo@council.example")},
    };
    for (const auto &[name, role, email] : users) {
        Result<User> user = m_engine.addUser(name, role, email, QStringLiteral("ines"));
        if (!user)
            return user.error();
        m_out << "   " << name << " (" << role << ")" << Qt::endl;
    }

    // 1. Access by e-mail: the everyday case, with a redaction.
    Result<QString> ref = file(QStringLiteral("Access request by e-mail (Art 15)"),
        form(QStringLiteral("access"), QStringLiteral("email"), QStringLiteral("Margaret Ellis"),
            QStringLiteral("m.ellis@example.org"), QStringLiteral("L20 7AB"),
            QStringLiteral("All records about my council tax account and my calls to the contact centre"),
            QStringLiteral("alice"), 6, now));
    if (!ref)
        return ref.error();
    const QString accessRef = *ref;
    if (Status s = drive(accessRef,
            {
                {QStringLiteral("acknowledge"), QStringLiteral("alice"), {}, {}},
                {QStringLiteral("start-work"), QStringLiteral("alice"), {}, {}},
                {QStringLiteral("extend"), QStringLiteral("alice"),
                    {{QStringLiteral("reason"),
                        QStringLiteral(
                            "Your request covers eleven years of records held in four systems, two of them archived")}},
                    {}},
                {QStringLiteral("collected"), QStringLiteral("alice"),
                    {{QStringLiteral("systems-searched"),
                        QStringLiteral("Council tax; contact-centre call recordings; webchat")}},
                    {}},
            });
        !s)
        return s;
    // What alice found, and how she marks it; then the bundle.
    if (Status s = caseFile(accessRef); !s)
        return s;
    if (Status s = drive(accessRef,
            {
                {QStringLiteral("redaction-needed"), QStringLiteral("alice"),
                    {{QStringLiteral("items"), QStringLiteral("Call recording of 12 Feb mentions a neighbour")}}, {}},
                {QStringLiteral("redaction-complete"), QStringLiteral("alice"),
                    {{QStringLiteral("redactions"),
                        QStringLiteral(
                            "Neighbour's name and address removed: DPA 2018 Sch 2 para 16 (third-party information)")}},
                    {}},
            });
        !s)
        return s;
    if (Status s = bundle(accessRef); !s)
        return s;
    if (Status s = drive(accessRef,
            {
                {QStringLiteral("send-response"), QStringLiteral("alice"),
                    {{QStringLiteral("delivery"), QStringLiteral("email")}}, QStringLiteral("First copy, free of charge")},
            });
        !s)
        return s;

    // 2. A second access request from the same person: flagged, then refused by the DPO.
    ref = file(QStringLiteral("A repeat access request days later: possible duplicate, refused as manifestly excessive"),
        form(QStringLiteral("access"), QStringLiteral("web"), QStringLiteral("Margaret Ellis"),
            QStringLiteral("M.Ellis@example.org"), QStringLiteral("L20 7AB"), QStringLiteral("Everything again"),
            QStringLiteral("alice"), 1, now));
    if (!ref)
        return ref.error();
    if (Status s = drive(*ref,
            {
                {QStringLiteral("acknowledge"), QStringLiteral("alice"), {}, {}},
                {QStringLiteral("refuse"), QStringLiteral("alice"),
                    {{QStringLiteral("grounds"), QStringLiteral("manifestly-excessive")},
                        {QStringLiteral("reason"), QStringLiteral("Repeats a request answered this week")}},
                    {}, true},
                {QStringLiteral("refuse"), QStringLiteral("dana"),
                    {{QStringLiteral("grounds"), QStringLiteral("manifestly-excessive")}}, {}, true},
                {QStringLiteral("refuse"), QStringLiteral("dana"),
                    {{QStringLiteral("grounds"), QStringLiteral("manifestly-excessive")},
                        {QStringLiteral("reason"),
                            QStringLiteral("Repeats request %1, answered in full this week").arg(accessRef)}},
                    {}},
            });
        !s)
        return s;

    // 3. Rectification by telephone, with an identity check first.
    ref = file(QStringLiteral("Rectification by telephone (Art 16), identity checked first"),
        form(QStringLiteral("rectification"), QStringLiteral("telephone"), QStringLiteral("Tomasz Nowak"),
            QStringLiteral("t.nowak@example.net"), QStringLiteral("PR8 1DA"),
            QStringLiteral("My date of birth is wrong on my council tax account"), QStringLiteral("bilal"), 3, now));
    if (!ref)
        return ref.error();
    if (Status s = drive(*ref,
            {
                {QStringLiteral("acknowledge"), QStringLiteral("bilal"), {}, {}},
                {QStringLiteral("request-identity"), QStringLiteral("bilal"),
                    {{QStringLiteral("evidence-needed"), QStringLiteral("A copy of a council tax bill or photo ID")}}, {}},
                {QStringLiteral("identity-verified"), QStringLiteral("bilal"),
                    {{QStringLiteral("evidence"), QStringLiteral("Council tax bill seen at the One Stop Shop; copy not kept")}},
                    {}},
                {QStringLiteral("start-work"), QStringLiteral("bilal"), {}, {}},
                {QStringLiteral("correct"), QStringLiteral("bilal"),
                    {{QStringLiteral("corrections"), QStringLiteral("Date of birth corrected in the council tax system")}}, {}},
                {QStringLiteral("no-recipients"), QStringLiteral("bilal"),
                    {{QStringLiteral("why"), QStringLiteral("none-disclosed")}}, {}},
                {QStringLiteral("send-response"), QStringLiteral("bilal"), {}, {}},
            });
        !s)
        return s;

    // 4. Erasure refused under Art 17(3).
    ref = file(QStringLiteral("Erasure by web form (Art 17), refused: the council must keep council tax records"),
        form(QStringLiteral("erasure"), QStringLiteral("web"), QStringLiteral("Priya Shah"),
            QStringLiteral("priya.shah@example.com"), QStringLiteral("L37 2EE"), QStringLiteral("Delete my council tax history"),
            QStringLiteral("alice"), 2, now));
    if (!ref)
        return ref.error();
    if (Status s = drive(*ref,
            {
                {QStringLiteral("acknowledge"), QStringLiteral("alice"), {}, {}},
                {QStringLiteral("start-work"), QStringLiteral("alice"), {}, {}},
                {QStringLiteral("refuse-exempt"), QStringLiteral("alice"),
                    {{QStringLiteral("exemption"), QStringLiteral("legal-obligation")},
                        {QStringLiteral("reason"),
                            QStringLiteral("Council tax records must be kept for six years after the liability ends")}},
                    {}},
            });
        !s)
        return s;

    // 5. Restriction by post, made by a parent for their son: authority first.
    IntakeForm restriction = form(QStringLiteral("restriction"), QStringLiteral("post"), QStringLiteral("Joan Hughes"), {},
        QStringLiteral("L21 4PQ"), QStringLiteral("Stop using my son's contact details while their accuracy is checked"),
        QStringLiteral("bilal"), 4, now);
    restriction.requester.address = QStringLiteral("14 Marsh Lane, Bootle");
    restriction.actingForSubject = true;
    restriction.subject
        = Person {QStringLiteral("Daniel Hughes"), {}, {}, QStringLiteral("14 Marsh Lane, Bootle"), QStringLiteral("L21 4PQ")};
    restriction.relationship = QStringLiteral("parent");
    ref = file(QStringLiteral("Restriction by post for someone else (Art 18): authority must arrive first"), restriction);
    if (!ref)
        return ref.error();
    if (Status s = drive(*ref,
            {
                {QStringLiteral("acknowledge"), QStringLiteral("bilal"), {}, {}},
                {QStringLiteral("start-work"), QStringLiteral("bilal"), {}, {}, true},
                {QStringLiteral("authority-received"), QStringLiteral("bilal"),
                    {{QStringLiteral("evidence"), QStringLiteral("Signed consent from Daniel Hughes")}}, {}},
                {QStringLiteral("start-work"), QStringLiteral("bilal"), {}, {}},
                {QStringLiteral("apply-restriction"), QStringLiteral("bilal"),
                    {{QStringLiteral("ground"), QStringLiteral("accuracy-contested")},
                        {QStringLiteral("systems"), QStringLiteral("Customer contact system")}},
                    {}},
                {QStringLiteral("recipients-notified"), QStringLiteral("bilal"),
                    {{QStringLiteral("recipients"), QStringLiteral("Webchat provider")}}, {}},
                {QStringLiteral("send-response"), QStringLiteral("bilal"), {}, {}},
                {QStringLiteral("lift-restriction"), QStringLiteral("bilal"),
                    {{QStringLiteral("reason"), QStringLiteral("Details verified as accurate")},
                        {QStringLiteral("lift-on"), now.date().addDays(14).toString(Qt::ISODate)}},
                    {}},
            });
        !s)
        return s;

    // 6. Portability in person.
    ref = file(QStringLiteral("Portability at a One Stop Shop (Art 20)"),
        form(QStringLiteral("portability"), QStringLiteral("in-person"), QStringLiteral("Ewan Clarke"),
            QStringLiteral("ewan.clarke@example.org"), QStringLiteral("L30 6UT"),
            QStringLiteral("My bulky waste bookings, in a format I can reuse"), QStringLiteral("alice"), 5, now));
    if (!ref)
        return ref.error();
    if (Status s = drive(*ref,
            {
                {QStringLiteral("acknowledge"), QStringLiteral("alice"), {}, {}},
                {QStringLiteral("start-work"), QStringLiteral("alice"), {}, {}},
                {QStringLiteral("eligible"), QStringLiteral("alice"),
                    {{QStringLiteral("lawful-basis"), QStringLiteral("contract")},
                        {QStringLiteral("data-in-scope"), QStringLiteral("Bulky waste bookings and payments")}},
                    {}},
                {QStringLiteral("collected"), QStringLiteral("alice"),
                    {{QStringLiteral("systems-searched"), QStringLiteral("Bulky waste booking system")}}, {}},
                {QStringLiteral("review-complete"), QStringLiteral("alice"), {}, {}},
                {QStringLiteral("send-response"), QStringLiteral("alice"),
                    {{QStringLiteral("delivery"), QStringLiteral("email")}}, {}},
            });
        !s)
        return s;

    // 7. Objection to direct marketing by webchat: absolute, no assessment.
    ref = file(QStringLiteral("Objection to direct marketing by webchat (Art 21(3)): upheld without assessment"),
        form(QStringLiteral("objection"), QStringLiteral("webchat"), QStringLiteral("Sam O'Neill"),
            QStringLiteral("sam.oneill@example.com"), QStringLiteral("L22 0LG"),
            QStringLiteral("Stop sending me leisure centre offers"), QStringLiteral("bilal"), 1, now));
    if (!ref)
        return ref.error();
    if (Status s = drive(*ref,
            {
                {QStringLiteral("acknowledge"), QStringLiteral("bilal"), {}, {}},
                {QStringLiteral("uphold-direct-marketing"), QStringLiteral("bilal"),
                    {{QStringLiteral("marketing-processing"), QStringLiteral("Leisure centre newsletter")}}, {}},
                {QStringLiteral("suppression-recorded"), QStringLiteral("bilal"),
                    {{QStringLiteral("systems"), QStringLiteral("Leisure mailing list")}}, {}},
                {QStringLiteral("send-response"), QStringLiteral("bilal"), {}, {}},
            });
        !s)
        return s;

    // 8. Automated decision: human review.
    ref = file(QStringLiteral("Automated decision (Arts 22A-22D): human review changes the outcome"),
        form(QStringLiteral("automated-decision"), QStringLiteral("email"), QStringLiteral("Grace Adeyemi"),
            QStringLiteral("grace.a@example.org"), QStringLiteral("L31 2PR"),
            QStringLiteral("The automatic refusal of my single person discount"), QStringLiteral("alice"), 2, now));
    if (!ref)
        return ref.error();
    const QString automatedRef = *ref;
    Result<Request> before = m_engine.request(automatedRef);
    if (!before)
        return before.error();
    if (Status s = drive(automatedRef,
            {
                {QStringLiteral("acknowledge"), QStringLiteral("alice"), {}, {}},
                {QStringLiteral("start-work"), QStringLiteral("alice"), {}, {}},
                {QStringLiteral("start-human-review"), QStringLiteral("alice"),
                    {{QStringLiteral("reviewer"), QStringLiteral("dana")},
                        {QStringLiteral("representations"), QStringLiteral("Lives alone since March")}},
                    {}},
                {QStringLiteral("decision-changed"), QStringLiteral("dana"),
                    {{QStringLiteral("new-outcome"), QStringLiteral("Discount awarded from 1 March")}}, {}},
            });
        !s)
        return s;

    // Two officers on one request: the one who saw an old version is stopped.
    m_out << Qt::endl << "== Two officers act on " << automatedRef << " at once" << Qt::endl;
    Result<FireOutcome> stale
        = m_engine.fire(automatedRef, QStringLiteral("send-response"), QStringLiteral("bilal"), {}, {}, before->version);
    if (stale)
        return makeError(ErrorCode::Conflict, QStringLiteral("demo: a stale action was applied"));
    m_out << "   bilal, who loaded version " << before->version << ", is refused: " << stale.error().message << Qt::endl;
    if (Status s = drive(automatedRef, {{QStringLiteral("send-response"), QStringLiteral("alice"), {}, {}}}); !s)
        return s;

    // Work still in hand, as the DPO's dashboard will show it.
    ref = file(QStringLiteral("Access by telephone, still open: the scope needs clarifying, so the clock is paused (Art 12A)"),
        form(QStringLiteral("access"), QStringLiteral("telephone"), QStringLiteral("Oliver Grant"),
            QStringLiteral("o.grant@example.net"), QStringLiteral("PR9 0LA"),
            QStringLiteral("\"Everything from the last ten years\""), QStringLiteral("bilal"), 2, now));
    if (!ref)
        return ref.error();
    if (Status s = drive(*ref,
            {
                {QStringLiteral("acknowledge"), QStringLiteral("bilal"), {}, {}},
                {QStringLiteral("request-clarification"), QStringLiteral("bilal"),
                    {{QStringLiteral("question"), QStringLiteral("Which services and which years do you mean?")}}, {}},
            });
        !s)
        return s;
    ref = file(QStringLiteral("Access by web form, waiting for identity evidence: the clock has not started, and "
                              "after a month without it the worker closes the request"),
        form(QStringLiteral("access"), QStringLiteral("web"), QStringLiteral("Peter Quinn"),
            QStringLiteral("p.quinn@example.com"), QStringLiteral("L37 4HB"), QStringLiteral("My council tax records"),
            QStringLiteral("alice"), 1, now));
    if (!ref)
        return ref.error();
    if (Status s = drive(*ref,
            {
                {QStringLiteral("acknowledge"), QStringLiteral("alice"), {}, {}},
                {QStringLiteral("request-identity"), QStringLiteral("alice"),
                    {{QStringLiteral("evidence-needed"), QStringLiteral("A recent council tax bill or a utility bill")}}, {}},
            });
        !s)
        return s;
    IntakeForm posted = form(QStringLiteral("erasure"), QStringLiteral("post"), QStringLiteral("Hannah Price"), {},
        QStringLiteral("L23 5TB"), QStringLiteral("Delete my old webchat conversations"), {}, 0, now);
    posted.requester.address = QStringLiteral("3 Victoria Road, Crosby");
    ref = file(QStringLiteral("Erasure by post, just received and not yet assigned"), posted);
    if (!ref)
        return ref.error();
    Result<Attachment> letter = m_engine.attach(*ref, QStringLiteral("alice"), QStringLiteral("scanned-letter.txt"),
        QByteArrayLiteral("Dear Sir or Madam, please delete the webchat conversations you hold about me. Hannah Price\n"));
    if (!letter)
        return letter.error();
    m_out << "   alice attached " << letter->name << " (" << letter->size << " bytes, sha256 " << letter->sha256.left(12)
          << "...)" << Qt::endl;

    // The register at the end.
    m_out << Qt::endl << "== The register now" << Qt::endl;
    RequestFilter all;
    all.limit = 100;
    Result<QList<RequestSummary>> list = store.listRequests(all);
    if (!list)
        return list.error();
    for (const RequestSummary &s : *list) {
        Result<Request> r = m_engine.request(s.reference);
        if (!r)
            return r.error();
        Result<DeadlineStatus> status = m_engine.statusOf(*r);
        if (!status)
            return status.error();
        m_out << "   " << QStringLiteral("%1").arg(s.reference, -16) << QStringLiteral("%1").arg(s.right, -20)
              << QStringLiteral("%1").arg(s.state, -24)
              << QStringLiteral("%1").arg(s.closed ? QStringLiteral("closed") : QStringLiteral("open"), -8) << "due "
              << r->deadline.due.toString(Qt::ISODate) << "  " << toString(status->state) << Qt::endl;
    }
    Result<QList<OutboxMessage>> outbox = store.outbox({});
    if (!outbox)
        return outbox.error();
    m_out << "   " << outbox->size() << " notices queued in the outbox for delivery" << Qt::endl;
    Result<AuditVerification> audit = store.verifyAudit();
    if (!audit)
        return audit.error();
    if (!audit->intact)
        return makeError(ErrorCode::Storage, QStringLiteral("demo: the audit trail does not verify: %1").arg(audit->problem));
    m_out << "   audit trail intact: " << audit->eventsChecked << " events verified" << Qt::endl;
    m_firstReference = accessRef;
    return {};
}

} // namespace rf
