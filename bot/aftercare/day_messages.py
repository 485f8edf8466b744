"""The daily messages, the check-in answers and the follow-up reminder; pure."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot import buttons
from bot.aftercare.course import CheckinOption, Course, CourseRule
from bot.aftercare.records import Delivery, DeliveryKind, PatientCourse
from bot.aftercare.schedule import FIRST_DAY, clamp_day
from bot.answers.knowledge import Clinic
from bot.locale import Locale
from bot.messages import Button, Reply, button_rows

CHECKIN_COLUMNS = 2


class DayMessages:
    """Builds what the course sends: day N's message, check-in advice and the reminder."""

    def __init__(self, course: Course, locale: Locale, clinic: Clinic, urgent_text: str) -> None:
        self.course = course
        self.locale = locale
        self.clinic = clinic
        self.urgent_text = urgent_text

    def _t(self, key: str, **values: object) -> str:
        return self.locale.t(key, **values)

    def day_message(self, course_id: int, day: int) -> Reply:
        """Day `day`'s note, the rules in force and the check-in question with its buttons."""
        parts = [self.clinic.format(self.course.note(day)), *self._reminders(day)]
        parts.append(self.course.checkin_question)
        options = [
            Button(o.label, buttons.checkin(course_id, day, o.id))
            for o in self.course.checkin_options
        ]
        rows = list(button_rows(options, CHECKIN_COLUMNS))
        if day == self.course.days and self.course.follow_up_months:
            rows.append((Button(self.course.follow_up_button, buttons.follow_up(course_id)),))
        return Reply("\n\n".join(parts), self.title(day), tuple(rows))

    def title(self, day: int) -> str:
        """The day's title: "Procedure day" for day 0, else "Day N of DAYS"."""
        if day == FIRST_DAY:
            return self._t("ac_day_title_procedure", days=self.course.days)
        return self._t("ac_day_title", day=day, days=self.course.days)

    def _reminders(self, day: int) -> list[str]:
        """Rules that start or end today in full, one rotating focus rule, the rest by name.

        Day 0 lists every rule in full; later days would otherwise repeat the same block. A rule
        without an end (the article gives it none) never "ends today".
        """
        rules = self.course.rules_for(day)
        if not rules:
            return []
        changing = [r for r in rules if day in (FIRST_DAY, r.first_day) or r.last_day == day]
        ongoing = [r for r in rules if r not in changing]
        focus = [ongoing.pop(day % len(ongoing))] if ongoing else []
        lines = [self._t("ac_rules_header")]
        lines += [
            f"• {self.clinic.format(rule.text)} ({self._rule_span(rule, day)})"
            for rule in (*changing, *focus)
        ]
        parts = ["\n".join(lines)]
        ends = sorted({r.last_day for r in ongoing if r.last_day is not None})
        for last_day in (*ends, None):
            names = "; ".join(
                self.clinic.format(r.short) for r in ongoing if r.last_day == last_day
            )
            if not names:
                continue
            if last_day is None:
                parts.append(self._t("ac_rules_still_open", rules=names))
            else:
                parts.append(self._t("ac_rules_still", day=last_day, rules=names))
        return parts

    def _rule_span(self, rule: CourseRule, day: int) -> str:
        """How long a rule still applies, as seen on `day`."""
        if rule.last_day is None:
            return self._t("ac_rule_open")
        if rule.first_day == rule.last_day:
            return self._t("ac_rule_today_only")
        if rule.last_day == day:
            return self._t("ac_rule_last_day")
        return self._t("ac_rule_until", day=rule.last_day)

    def follow_up_message(self) -> Reply:
        """The reminder months later, with the booking button when the clinic has one."""
        link = self.clinic.booking_link
        rows = ((Button(self._t("ac_book_button"), url=link),),) if link else ()
        return Reply(self.clinic.format(self.course.follow_up_text), buttons=rows)

    def message_for(self, delivery: Delivery) -> Reply:
        """The message a claimed delivery carries."""
        if delivery.kind is DeliveryKind.FOLLOW_UP:
            return self.follow_up_message()
        return self.day_message(delivery.course_id, clamp_day(delivery.day, self.course.days))

    def checkin_reply(self, option: CheckinOption) -> Reply:
        """The advice for a check-in answer; the FAQ's urgent text for a worrying one."""
        return Reply(self.clinic.format(self.urgent_text if option.urgent else option.reply))

    def follow_up_scheduled(self, course: PatientCourse, due: datetime) -> Reply:
        """After the follow-up button."""
        local = due.astimezone(ZoneInfo(course.timezone))
        return Reply(self._t("ac_follow_up_set", date=local.strftime("%d.%m.%Y")))


def _render(reply: Reply) -> str:
    rows = [" ".join(f"[{b.label}]" for b in row) for row in reply.buttons]
    return "\n".join([reply.plain(), *rows])


def preview(messages: DayMessages) -> str:
    """Every day of the course as a patient would receive it, then the follow-up reminder."""
    course = messages.course
    rule = "=" * 60
    blocks = [
        f"{rule}\n{_render(messages.day_message(0, day))}"
        for day in range(FIRST_DAY, course.days + 1)
    ]
    if course.follow_up_months:
        title = messages.locale.t("ac_follow_up_title", months=course.follow_up_months)
        blocks.append(f"{rule}\n{title}\n\n{_render(messages.follow_up_message())}")
    return "\n\n".join(blocks) + "\n"
