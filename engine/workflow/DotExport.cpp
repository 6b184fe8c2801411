// SPDX-License-Identifier: GPL-3.0-or-later
#include "DotExport.h"

namespace rf {

namespace {

QString dotString(const QString &text)
{
    QString escaped = text;
    escaped.replace(QLatin1Char('\\'), QStringLiteral("\\\\"));
    escaped.replace(QLatin1Char('"'), QStringLiteral("\\\""));
    escaped.replace(QLatin1Char('\n'), QStringLiteral("\\n"));
    return QLatin1Char('"') + escaped + QLatin1Char('"');
}

} // namespace

QString toDot(const WorkflowDefinition &def)
{
    QString dot;
    dot += QStringLiteral("digraph %1 {\n").arg(dotString(def.id));
    dot += QStringLiteral("  label=%1;\n  labelloc=t;\n  rankdir=LR;\n").arg(dotString(def.title));
    dot += QStringLiteral("  node [shape=box, style=rounded, fontname=\"Helvetica\"];\n");
    dot += QStringLiteral("  edge [fontname=\"Helvetica\", fontsize=10];\n");
    dot += QStringLiteral("  start [shape=point];\n  start -> %1;\n").arg(dotString(def.initial));
    for (const StateDef &s : def.states) {
        QString attributes = QStringLiteral("label=%1")
                                 .arg(dotString(s.label + QStringLiteral("\n(") + s.name + QStringLiteral(", clock ")
                                     + toString(s.clock) + QLatin1Char(')')));
        if (s.kind == StateKind::Closed)
            attributes += QStringLiteral(", shape=doublecircle, style=solid");
        else if (s.kind == StateKind::Waiting)
            attributes += QStringLiteral(", style=\"rounded,dashed\"");
        dot += QStringLiteral("  %1 [%2];\n").arg(dotString(s.name), attributes);
    }
    for (const TransitionDef &t : def.transitions) {
        for (const QString &from : t.from) {
            // An action in place is drawn as a dotted loop on each state it is offered in.
            dot += QStringLiteral("  %1 -> %2 [label=%3%4];\n")
                       .arg(dotString(from), dotString(t.to.isEmpty() ? from : t.to),
                           dotString(t.name + QStringLiteral("\n[") + t.roles.join(QStringLiteral(", ")) + QLatin1Char(']')),
                           t.to.isEmpty() ? QStringLiteral(", style=dotted") : QString());
        }
    }
    dot += QStringLiteral("}\n");
    return dot;
}

} // namespace rf
