"""Score red-flag detection on probe sets of patients' messages: {q, urgent, kind} per item.

Run: .venv/bin/python benchmarks/score_redflags.py [--show-failures] [FILE ...]

`redflag_probe_a_*` (340 messages), `redflag_probe_b_*` (416), `redflag_probe_c_*` (364) and
`redflag_probe_d_*` (225) were written in the fifth round by helpers who had not seen the FAQ's
signs nor the earlier probes; each was scored before the signs it led to were added (English and
Russian triggered: a 149/164 and 144/176; b 110/133 and 117/141; c 108/122 and 108/122; d 77/80 and
80/83, calm 31/31 and 31/31), so all four are tuned sets now. `redflag_probe_e_*` (300 messages),
written in the sixth round for wording nobody had foreseen (what a patient sees rather than the
symptom's name, understatement, a sign in passing, a relative's report, voice-to-text, translit),
first scored English 88/110 and Russian 85/110 triggered, calm 39/40 and 39/40; tuned on since.
`redflag_probe_f_*` (263 messages), written after the fifth probe's signs (fragments, line
breaks, scores, a relative's report), first scored 79/90 and 88/92, calm 36/40 and 37/41 (77/90
and 84/92 on main before the round); tuned on since. `redflag_probe_g_*` (240 messages), written
after f's signs (many writers: clinicians' words, formal and broken English), first scored 72/80
and 75/80, calm 33/40 and 36/40; tuned on since. `redflag_probe_h_*` (240 messages), written in the
seventh round after g's signs (a sign buried in a long message about something else, comparisons
and metaphors, time course, what others noticed, diminutives), first scored 66/80 and 61/80,
calm 36/40 and 36/40; tuned on since. `redflag_probe_i_*` (280 messages), written after h's signs and
the rule for questions asked ahead (reports followed by a question, prospective questions about
the ordinary experience, odds), first scored 75/80 and 75/80, calm 52/60 and 54/60; tuned on since.
`redflag_probe_j_*` (240 messages), written at the eleventh round's end (everyday metaphors, a
sign inside a long story, a relative's report, several signs at once), first scored 74/80 and
73/80 on main before the round (75/80 and 73/80 after its earlier changes), calm 37/40 and 38/40;
tuned on since.
`redflag_probe_k_*` (240 messages), written at the twelfth round's start (what a patient sees or
cannot do, a sign buried in small talk, "should I wait and see?", slang and voice-to-text), first
scored 74/80 and 74/80 on main before the round, calm 37/40 and 36/40; tuned on since.
`redflag_probe_l_*` (240 messages), written at the thirteenth round's start (metaphors, a relative's
report, a sign in a long message, very short messages, transliteration), first scored 79/80 and
80/80, calm 37/40 and 37/40; tuned on since.
`redflag_probe_m_*` (240 messages), written in the fourteenth round (indirect wording, danger
words used harmlessly), first scored 79/80 and 75/80, calm 35/40 and 36/40; tuned on since.
`redflag_probe_n_*` (240 messages), written in the fifteenth round (16 danger messages per
category, worded every way, and danger words used harmlessly: films, pets, someone else long
ago), first scored 78/80 and 77/80, calm 33/40 and 36/40 (main after the round's first red-flag
fixes, 9508416); tuned on since. `redflag_probe_o_*` (240 messages), written in the
seventeenth round (signs that come days later, grow, spread or come back, and the normal
course), first scored 78/80 and 77/80, calm 33/40 and 33/40 (12dabe7); tuned on since.
`redflag_probe_p_*` (240 messages), written at that round's end (plain one-line wording, often
without the medical word), first scored 73/80 and 75/80, calm 36/40 and 39/40 (9dfdd82); tuned
on since. `redflag_probe_q_*` (240 messages), written in the eighteenth round (answers to the
daily check-in on days 1-14: several things in one message, hedged, typos, emoji), first scored
79/80 and 77/80, calm 38/40 and 40/40 (57dd671); tuned on since. `redflag_probe_r_*` (240
messages), written at that round's end (signs told through what someone else noticed, what the
patient did about them, photo captions, long rambling messages), first scored 76/80 and 77/80,
calm 39/40 and 39/40 (245f5bf); tuned on since. `redflag_probe_s_*` (240 messages), written at
the nineteenth round's start (text-speak, typos, metaphors, "what if" questions, Russian half in
Latin letters), first scored 76/80 and 74/80, calm 40/40 and 40/40 (2874392); tuned on since. `redflag_probe_t_*` (240 messages), written at
that round's end (one sign hidden among normal news, in brackets, after "but", as a number or a
body feeling; calm ones with strong words for normal healing), first scored 74/80 and 69/80,
calm 35/40 and 37/40 (9a60a7a; 74/80 and 69/80, 36/40 and 37/40 before the round); tuned on since.
`redflag_probe_u_*` (240 messages), written then too (one to eight words texted in a hurry or in
panic, caps, emoji, repeated letters), first scored 77/80 and 71/80, calm 40/40 and 40/40
(43aaae3; 75/80 and 71/80 before the round); tuned on since.
`redflag_probe_v_*` (240 messages), written at the twentieth round (check-in answers and
relatives' reports in everyday words, signs inside long messages, understatement; calm ones with
scary words for normal healing, films, pets, things long over), first scored 79/80 and 77/80,
calm 38/40 and 36/40 (9cd105c); tuned on since.
`redflag_probe_w_*` (240 messages), written at the twenty-first round (the way people write in a
messenger: very short check-in replies, long rambling messages with the sign late, what others
saw or what one cannot do, time course, hedging; calm near-misses that share words with signs),
first scored 79/80 and 77/80, calm 36/40 and 32/40 (5e6e7b6); tuned on since.
`redflag_probe_x_*` (240 messages), written then too (formats and mixtures: two languages in one
message, Russian in Latin letters, temperatures and times, bullet lists and "fever: no"
checklists, forwarded quotes, emoji for the eye, a sign at the end of a long message; calm ones
with normal numbers, denied checklists and fears asked before any procedure), first scored 78/80
and 77/80, calm 33/40 and 34/40 (ee15167); tuned on since.
`redflag_probe_y_*` (240 messages), written at the round's end (the words people reach for
without the medical term: colours and textures by comparison, a function lost told by what
happens, sensations, spreading and worsening; calm ones with the same comparisons for normal
things), first scored 67/80 and 67/80, calm 33/40 and 33/40 (43deca6; 5e6e7b6: 67/80 and 67/80,
32/40 and 32/40); tuned on since.
`redflag_probe_z_*` (240 messages), written at the twenty-second round's start (a sign buried in a
check-in, an aside or a forwarded message; signs told by what happens; calm ones sharing the signs'
words: over and done with, someone else's, lay denials, questions ahead, idioms), first scored
77/80 and 75/80, calm 30/40 and 31/40 (f99e2b9); tuned on since.
`redflag_probe_aa_*` (240 messages), written then too (the everyday spread of reports in the dev
sets' style, every category in several wordings; calm ones: normal side effects, questions ahead,
negations, the signs' words about other things), first scored 80/80 and 79/80, calm 37/40 and
37/40 (04fc654); tuned on since.
`redflag_probe_ab_*` (240 messages), written in the twenty-third round (reports told indirectly,
inside longer messages, understated or by a relative; calm ones as before), first scored 72/80
and 74/80, calm 36/40 and 39/40 (6cfaa03 with a relative's-fever frame); tuned on since.
`redflag_probe_ac_*` (240 messages), written then too (answers to the daily check-in and photo
captions: signs in lists, in passing, by comparison with yesterday, in one or two words), first
scored 75/80 and 74/80, calm 33/40 and 40/40 (232423c); tuned on since.
`redflag_probe_ad_*` (240 messages), written then too (hard cases: rare words and images,
sensations, numbers, signs asked as questions or after "but", typos in key words; calm ones with
the same vocabulary used harmlessly), first scored 74/80 and 74/80, calm 30/40 and 26/40
(319a53f); tuned on since.
`redflag_probe_ae_*` (240 messages), written at the twenty-fourth round's start (daily check-in
answers: several pieces of news with the sign in passing, a sign as a number, a time course or a
comparison with yesterday, a partner's or mother's report; calm ones with the same words used
harmlessly), first scored 77/80 and 74/80, calm 33/40 and 34/40 (52780d7); tuned on since.
`redflag_probe_af_*` (240 messages), written then too ("is this normal?" on the border between
normal healing and danger: one detail such as colour, warmth, speed, one side or the eye makes it
dangerous, or none does), first scored 78/80 and 76/80, calm 30/40 and 31/40 (2355aa9); tuned on
since.
`redflag_probe_ag_*` (240 messages), written at that round's end (reported speech both ways: a
husband or a daughter notices the sign, the patient quotes what she told someone; calm ones where
someone says danger words that are no sign of the patient now), first scored 75/80 and 76/80,
calm 26/40 and 34/40 (5feb95d); tuned on since.
`redflag_probe_ah_*` (240 messages), written at the twenty-fifth round's start (long messages:
the sign, or what makes danger words harmless, spread over several sentences among small talk and
other questions), first scored 79/80 and 77/80, calm 20/40 and 24/40 (bfa545b); tuned on since.
`redflag_probe_ai_*` (240 messages), written then too (signs told through everyday images: the
colour of a plum or of ash, breathing as through a straw, a spoon dropped; calm ones that use the
same images for ordinary things), first scored 75/80 and 71/80, calm 40/40 and 36/40 (bfa545b);
tuned on since.
`redflag_probe_aj_*` (240 messages), written at the twenty-sixth round's start (lists and mixed
reports: the expected after-effects with one danger sign among them, or all expected; danger
words named only to say they are absent or were something else), first scored 80/80 and 78/80,
calm 34/40 and 36/40 (6098aeb); tuned on since.
`redflag_probe_ak_*` (240 messages), written at the twenty-seventh round's start (signs told
through pictures and slang, or by a relative on the patient's behalf; calm vivid descriptions of
the expected after-effects and jokes with danger words), first scored 76/80 and 67/80, calm 40/40
and 40/40 (b097746); tuned on since.
`redflag_probe_al_*` (240 messages), written then too (answers to the daily check-in over time:
a day number, hours since, a change since yesterday, a measurement; calm check-ins of the expected
course), first scored 77/80 and 78/80, calm 39/40 and 40/40 (b097746); tuned on since.
`redflag_probe_am_*` (240 messages), written at the twenty-eighth round's start (signs told with
time, size and change over time; fainting and lying unconscious told many ways; calm items that
share the signs' words), first scored 78/80 and 76/80, calm 34/40 and 35/40 (d259922); tuned on
since.
`redflag_probe_an_*` (240 messages), written then too (messy typing: typos, words run together,
voice-to-text, transliteration, emoji for words, fragments; calm ones asked ahead or about
others), first scored 75/80 and 77/80, calm 35/40 and 38/40 (d259922); tuned on since.
`redflag_probe_ao_*` (240 messages), written late in that round (long check-in replies: one danger
sign among expected after-effects, or danger words said to be absent, resolved, someone else's or
corrected), first scored 80/80 and 79/80, calm 23/40 and 30/40 (d259922); tuned on since.
A message "triggers" when `Languages.ask` gives the urgent reply, the way the bot answers it.
"""

from __future__ import annotations

import argparse
from collections import Counter
from pathlib import Path

import yaml

from bot.answers.languages import load_languages
from bot.answers.matcher import Kind

HERE = Path(__file__).parent
SETS = sorted(HERE.glob("redflag_probe_*.yaml"))


def main() -> None:
    """Print, per set, how many danger messages triggered and how many calm ones stayed calm."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("files", nargs="*", type=Path)
    parser.add_argument("--show-failures", action="store_true")
    args = parser.parse_args()
    languages = load_languages()
    for path in args.files or SETS:
        counts: Counter[tuple[bool, bool]] = Counter()
        for item in yaml.safe_load(path.read_text(encoding="utf-8")):
            urgent = languages.ask(item["q"]).decision.kind is Kind.URGENT
            counts[item["urgent"], urgent == item["urgent"]] += 1
            if args.show_failures and urgent != item["urgent"]:
                print(f"- {'missed' if item['urgent'] else 'false alarm'}: {item['q']!r}")
        danger = counts[True, True] + counts[True, False]
        calm = counts[False, True] + counts[False, False]
        print(
            f"{path.name}: triggered {counts[True, True]}/{danger}, "
            f"calm {counts[False, True]}/{calm}"
        )


if __name__ == "__main__":
    main()
