"""Score the answer engine on held-out question sets (questions never used for tuning).

Run: .venv/bin/python benchmarks/score_heldout.py [--set FILE] [--faq FILE] [--show-failures]

Two formats are read. `heldout_en.yaml`: {q, entry} where entry is the expected entry id or
null (out of scope). `heldout_safety_en.yaml` and `heldout_final_en.yaml` (each written from the
article alone by someone who never saw the FAQ): {q, expect, topic} as in the shared dev sets,
expect being regular expressions one of which must match the reply (null: out of scope); topics
starting with "redflag" must get the urgent reply. heldout_safety_en.yaml was written before the
answer-safety work and its failures were read while tuning; heldout_final_en.yaml was written
after it and never read: it is the honest figure for questions nobody here has seen.
`probe2_en.yaml` and `probe2_ru.yaml` (same format) were written from the article during issue 9's
second round, in parts (English four, Russian three), each scored before the changes it led to;
their failures were read while tuning, so they are tuned sets too. The third round added
`probe3_{en,ru}.yaml` (two-indication questions, long stories, paraphrases, red flags; tuned on)
and `heldout_blind2_{en,ru}.yaml` (sealed during the round, read at its end: tuned now).
`heldout_blind3_{en,ru}.yaml`, written in the dev sets' style at the third round's end, was read in
the fourth (tuned now). `heldout_blind4_{en,ru}.yaml`, written the same way at the fourth round's
start, was read at the fifth round's start (tuned now). `heldout_blind5_{en,ru}.yaml`, written the
same way at the fifth round's start, has never been read: only its totals are quoted, and it is the
honest figure for questions nobody here has seen. Only its one missed red flag was read, after its
last totals had been quoted (a danger sign outweighs a sealed figure); it was fixed by its classes.
`probe4_{en,ru}.yaml`, written in the fourth round for vocabulary variety, is a tuning set: its
failures guided that round's synonyms; `probe5_{en,ru}.yaml` (real chat style: very short, long
stories, statements as questions) guided its last pass. `probe6_{en,ru}.yaml` (everyday words and
slang for every topic) was written at the fifth round's start and scored once before any tuning
(English 126/150 in scope, 3 wrong; Russian 119/128, 2 wrong); it is tuned on since.
`heldout_blind6_{en,ru}.yaml`, written the same way at the sixth round's start (230 and 180), is
sealed like blind5: only its totals are quoted. Its first score, on main before the round, was
English 134/150 in scope, 51/55 declined, 25/25 urgent, 6/230 wrong; Russian 114/120, 40/40,
20/20, 2/180. `probe7_{en,ru}.yaml` (out-of-scope questions built from in-scope words, with
in-scope controls) was scored once before tuning (declined 110/120 and 86/100, wrong 11/200 and
15/170) and guided the round's declines. `probe8_{en,ru}.yaml` (everyday questions before and
after the procedure, many not answered by the article), written after those declines, was scored
once before tuning: English 65/80 in scope, 96/100 declined, 5/180 wrong; Russian 62/70, 77/80,
4/150 (on main before the round: the same in English; Russian 74/80 declined, 8/150 wrong).
`heldout_blind7_{en,ru}.yaml`, written the same way at the seventh round's start (230 and 180), is
sealed in the seventh round: its first score, on main before that round, was English 136/150 in
scope, 53/55 declined, 25/25 urgent, 5/230 wrong; Russian 110/120, 39/40, 20/20, 4/180. It was read
at the eighth round's start and is a tuning set now. `heldout_blind8_{en,ru}.yaml`, written the same
way at the eighth round's start (230 and 180), was sealed in the eighth round: its first score, on
main before that round (9a6234c), was English 123/150 in scope, 55/55 declined, 25/25 urgent, 6/230
wrong; Russian 101/120, 39/40, 19/20, 7/180; at its end 128/150 and 5/230, 105/120 and 7/180. It
was read at the ninth round's start and is a tuning set now. `heldout_blind9_{en,ru}.yaml`, written
the same way during that round, was scored once before it was read (English 128/150 in scope,
54/55 declined, 7/230 wrong; Russian 111/120, 40/40, 3/180; 125/150 in English on main before the
round) and is a tuning set. `heldout_blind10_{en,ru}.yaml`, written the same way at that round's
end, was scored on main before the round and after it, and was sealed in the ninth: English 124/150 in
scope, 4/230 wrong before, 128/150 and 5/230 after; Russian 107/120, 4/180 before, 105/120 and
4/180 after; at the ninth round's end 130/150 and 4/230, 104/120 and 4/180. It was read at the
tenth round's start and is a tuning set now. `heldout_blind11_{en,ru}.yaml` (230 and 180), written
the same way at the ninth round's start, is sealed: only its totals are quoted. Its first score, on
main before that round (73e79f7), was English 133/150 in scope, 50/55 declined, 25/25 urgent, 7/230
wrong; Russian 106/120, 39/40, 19/20, 3/180; at the ninth round's end 135/150 and 7/230, 106/120
and 5/180. `heldout_blind12_{en,ru}.yaml` (230 and 180), written the same way at the tenth round's
start, is sealed too. Its first score, on main before that round (d9fb527), was English 131/150 in
scope, 54/55 declined, 25/25 urgent, 6/230 wrong; Russian 116/120, 38/40, 19/20, 3/180.
`probe9_{en,ru}.yaml` (300 and 200, written the same way during the tenth round, no red flags)
is a tuning set: its failures are read. Its first score, before it was read, was English 215/260
in scope, 38/40 declined, 13/300 wrong; Russian 142/170, 30/30, 8/200 (the same on main before
the round, d9fb527, but Russian 141/170). `probe10_{en,ru}.yaml` (250 and 200 short, hurried and
misspelt questions, written the same way at the eleventh round's start) is a tuning set too. Its
first score, on main before the round (c490b6d, the FAQ of 3fc1ea4), before it was read: English
194/210 in scope, 22/25 declined, 14/15 urgent, 9/250 wrong; Russian 154/165, 18/20, 15/15, 7/200.
`probe11_{en,ru}.yaml` (300 and 220 lay paraphrases that avoid the article's own words: "the stuff
they put in", "smile lines", "ten rounds with a boxer"), written the same way during the eleventh
round, is a tuning set; its first score, before it was read (the same on 3fc1ea4 and on 992997a),
was English 106/250 in scope, 34/40 declined, 8/10 urgent, 25/300 wrong; Russian 100/180, 26/30,
10/10, 17/220.
`probe12_{en,ru}.yaml` (300 and 220 everyday messages from many different people, written the
same way late in the eleventh round) is a tuning set; it was first scored before it was read, as
an unseen check of the round's vocabulary from probe11: on 3fc1ea4 English 182/250 in scope, 38/40
declined, 10/10 urgent, 9/300 wrong, Russian 148/180, 29/30, 10/10, 10/220; with the Russian
vocabulary (c08da37) Russian 147/180, 30/30, 8/220; with the English too (c4bb40f) English
183/250, 38/40, 10/300.
`heldout_blind13_{en,ru}.yaml` (230 and 180), written the same way at the eleventh round's start,
is sealed: only its totals are quoted. Its first score, on main before that round (3fc1ea4), was
English 115/150 in scope, 52/55 declined, 25/25 urgent, 10/230 wrong; Russian 106/120, 40/40,
20/20, 7/180.
`heldout_blind14_{en,ru}.yaml` (230 and 180), written the same way at the twelfth round's start
by a helper who saw only the article and the dev sets, is sealed: only its totals are quoted. Its
first score, on main before that round (bd5d236), was English 136/150 in scope, 52/55 declined,
25/25 urgent, 7/230 wrong; Russian 110/120, 40/40, 20/20, 3/180.
`probe13_{en,ru}.yaml` (260 and 200: a question after a sentence or two about the writer, vague
words for the subject, indirect questions; written during the twelfth round) is a tuning set and
the answer model's training data; it was first scored before it was read, with the matcher alone
and with the answer model trained without it: English in scope 171 and 178/200, declined 58 and
59/60, wrong 8 and 5/260; Russian 132 and 138/150, 48 and 48/50, 5 and 5/200.
`probe14_{en,ru}.yaml` (240 and 240: writers of many ages and backgrounds, two questions in one,
questions for a relative; written late in the twelfth round) joined the training data the same
way after its first score, with the matcher alone and with the model trained with probe13:
English in scope 145 and 156/180, declined 54 and 53/60, wrong 11 and 10/240; Russian 157 and
159/180, 54 and 55/60, 12 and 10/240.
`probe15_{en,ru}.yaml` (220 and 220, half out of scope in the article's own words, half in scope
worded close to them; written at the twelfth round's end) joined the training data the same way
after its first score, with the matcher alone and with the model trained with probe14: English
in scope 106 and 108/110, declined 100 and 103/110, wrong 10 and 7/220; Russian 101 and 102/110,
99 and 99/110, 14 and 12/220.
`probe16_{en,ru}.yaml` (240 and 240, many kinds of writers), `probe17_{en,ru}.yaml` (240 and 240,
patients' own vocabulary: slang, everyday names, indirect and very short questions) and
`probe18_{en,ru}.yaml` (240 and 240, pairs: an in-scope question beside an out-of-scope one in
almost the same words), written at the thirteenth round's start, joined the training data after
their first score, on main before the round (f149dcf) and with the round's model rules:
probe16 English in scope 162 and 162/170, declined 67 and 67/70, wrong 3 and 3/240; Russian 159
and 159/170, 68 and 69/70, 7 and 6/240. probe17 English 150 and 149/170, 62 and 64/70, 9 and
7/240; Russian 158 and 158/170, 64 and 66/70, 8 and 6/240. probe18 English 122 and 122/130, 84
and 88/110, 27 and 23/240; Russian 118 and 118/130, 88 and 89/110, 26 and 25/240.
`probe19_{en,ru}.yaml` (240 and 240, long messages: a story, then the question) and
`probe20_{en,ru}.yaml` (240 and 240, short messy phone messages: typos, abbreviations, Latin
letters), written mid-round, joined the training data after their first score, on main before
the round (f149dcf) and on main with the model trained with probe16-18: probe19 English in
scope 139 and 141/170, declined 68 and 69/70, wrong 4 and 3/240; Russian 142 and 143/170, 64 and
65/70, 11 and 10/240. probe20 English 159 and 159/170, 68 and 69/70, 2 and 1/240; Russian 166 and
166/170, 67 and 68/70, 4 and 3/240.
`probe21_{en,ru}.yaml` (200 and 200, long stories ending in a short question that leans on
them: "so is it for me?", "and for how long?") and `probe22_{en,ru}.yaml` (200 and 200, near-miss
pairs), written late in the thirteenth round, first scored on main before the round and at the
round's end (model trained with probe16-20): probe21 English in scope 103 and 102/140, declined
60 and 60/60, wrong 1 and 1/200; Russian 97 and 96/140, 58 and 57/60, 5 and 6/200. probe22
English 95 and 96/105, 83 and 82/95, 16 and 16/200; Russian 95 and 95/105, 77 and 80/95, 20
and 17/200. Long stories with a leaning question are the weakest kind of message.
`heldout_blind15_{en,ru}.yaml` (230 and 180, written at the thirteenth round's start like blind14)
is sealed: only its totals are looked at.
`heldout_blind17_{en,ru}.yaml` (230 and 180, written the same way at the fifteenth round's start)
is sealed too. Its first score, on main before that round (b2d3158), was English 140/150 in
scope, 55/55 declined, 24/25 urgent, 0/230 wrong; Russian 116/120, 40/40, 20/20, 0/180. A script
error printed its 25 English urgent messages (only those) while its missed one was looked up.
`probe26_{en,ru}.yaml` (in-scope questions wrapped in subjects the article does not cover, and
near misses out of scope; 240 each), written then too, is a tuning set; its first score, before
it was read: English 139/170 in scope, 65/70 declined, 6/240 wrong; Russian 154/170, 61/70, 11/240.
`heldout_blind18_{en,ru}.yaml` (230 and 180, written the same way at the sixteenth round's start)
is sealed. Its first score, on main before that round (a20364f): English 145/150 in scope, 55/55
declined, 25/25 urgent, 2/230 wrong; Russian 116/120, 40/40, 20/20, 1/180.
`probe27_{en,ru}.yaml` (everyday short and medium questions on every subject, with typos and
slang, and out-of-scope questions built from in-scope words; 410 and 310), written then too, is
a tuning set; its first score, before it was read: English 302/320 in scope, 89/90 declined,
4/410 wrong; Russian 219/240, 69/70, 2/310.
`probe28_{en,ru}.yaml` (400 each: 30 questions on each of the ten subjects the answer model
handled worst with each probe set left out of its training, and 100 near misses out of scope),
written mid-round, is a tuning set; its first score, before it was read (24e67ba): English
224/300 in scope, 91/100 declined, 26/400 wrong; Russian 254/300, 94/100, 14/400.
`probe29_en.yaml` (480: 30 questions on each of the next twelve subjects answered worst, and 120
near misses out of scope), written after it, is a tuning set; its first score, before it was
read (4aa147c): 283/360 in scope, 105/120 declined, 30/480 wrong.
`heldout_blind19_{en,ru}.yaml` (230 and 180, written the same way at the seventeenth round's
start, stressing everyday words the article does not use) is sealed. Its first score, on main
before that round (2fd0e92): English 127/150 in scope, 55/55 declined, 25/25 urgent, 2/230 wrong;
Russian 107/120, 38/40, 20/20, 3/180.
`heldout_blind20_{en,ru}.yaml` (230 and 180, written at the eighteenth round's start in the dev
sets' style) is sealed. Its first score, on main before that round (57dd671): English 143/150
in scope, 55/55 declined, 25/25 urgent, 0/230 wrong; Russian 116/120, 40/40, 20/20, 0/180.
At that round's end: English 142/150, 55/55, 25/25, 0/230; Russian 118/120, 40/40, 20/20, 0/180.
`heldout_blind21_{en,ru}.yaml` (230 and 180, written in the eighteenth round in the dev sets'
style by a fourth helper) is sealed and was first scored at that round's end, on the code before
the round and after it, the same: English 146/150 in scope, 55/55 declined, 25/25 urgent, 1/230
wrong; Russian 118/120, 40/40, 20/20, 1/180.
`probe30_{en,ru}.yaml` (everyday, slang and descriptive words for the article's things, and
near misses out of scope; 380 and 300), written then too, is a tuning set; its first score,
before it was read: English 271/300 in scope, 74/80 declined, 10/380 wrong; Russian 216/240,
56/60, 7/300.
`probe31_{en,ru}.yaml` (the article's facts asked indirectly, through plans, consequences and
worries, and near misses out of scope; 380 and 300), written then too, is a tuning set; its
first score, before it was read, on main with probe30's changes (ef2f288): English 221/300 in
scope, 80/80 declined, 14/380 wrong; Russian 179/240, 60/60, 9/300.
`probe32_{en,ru}.yaml` (230 and 180, written late in that round in the dev sets' style by a
helper who saw only the article and the dev sets) was scored once, unread, on the round's
answers (9f686fa): English 145/150 in scope, 54/55 declined, 24/25 urgent, 2/230 wrong; Russian
118/120, 40/40, 20/20, 0/180. It is a tuning set since.
`probe33_{en,ru}.yaml` (230 and 180, written at that round's end in the same way by another
helper) was scored once, unread, on the round's answers (48b2234): English 145/150 in scope, 54/55
declined, 23/25 urgent, 2/230 wrong; Russian 117/120, 40/40, 20/20, 1/180. A tuning set since.
`probe34_{en,ru}.yaml` (230 and 180, written at the eighteenth round's start in the same way by a
third helper) was scored once, unread, on main before that round (65ef665): English 146/150 in
scope, 55/55 declined, 25/25 urgent, 0/230 wrong; Russian 118/120, 40/40, 20/20, 1/180. A tuning
set since.
`probe35_{en,ru}.yaml` (230 and 180, written at the eighteenth round's end in the same way by a
fifth helper) was scored once, unread, on the round's answers (bd865f7): English 147/150 in scope,
55/55 declined, 25/25 urgent, 0/230 wrong; Russian 118/120, 40/40, 20/20, 0/180. A tuning set since.
`heldout_blind22_{en,ru}.yaml` (230 and 180, written at the nineteenth round's start in the dev
sets' style by a sixth helper) is sealed. Its first score, on main before that round (2874392):
English 145/150 in scope, 55/55 declined, 25/25 urgent, 1/230 wrong; Russian 119/120, 40/40,
20/20, 0/180.
`probe36_{en,ru}.yaml` (the dev sets' style, a seventh writer) and `probe37_{en,ru}.yaml`
(everyday lay words for every topic), written then too, are tuning sets. First scores, on
2874392 before they were read: probe36 English 147/150 in scope, 54/55 declined, 25/25 urgent,
1/230 wrong, Russian 119/120, 39/40, 20/20, 1/180; probe37 English 143/150, 52/55, 25/25, 4/230,
Russian 112/120, 39/40, 20/20, 2/180.
`probe38_{en,ru}.yaml` (230 and 180, the dev sets' style, an eighth writer), written at the
nineteenth round's end, was scored once, unread, on the round's answers (9a60a7a): English
142/150 in scope, 54/55 declined, 25/25 urgent, 2/230 wrong; Russian 115/120, 40/40, 20/20,
2/180 (the same on 2874392, but Russian 114/120). A tuning set since.
`probe39_{en,ru}.yaml` (230 and 180: each question wrapped in a short story, a plan or a worry,
15-60 words), written then too, was scored once, unread (d50224a): English 135/150 in scope,
51/55 declined, 24/25 urgent, 7/230 wrong; Russian 108/120, 38/40, 20/20, 5/180 (on 2874392:
English 136/150, the rest the same; Russian 109/120, 38/40, 20/20, 4/180). A tuning set since.
`heldout_blind24_{en,ru}.yaml` (230 and 180, written at the twentieth round's start in the dev
sets' style by a ninth helper) is sealed. Its first score, on main before that round (ea8fe3a, the
answers of 76b8e96): English 146/150 in scope, 55/55 declined, 25/25 urgent, 1/230 wrong; Russian
119/120, 40/40, 19/20, 0/180. Its missed red flag was read (blisters "like from a burn": the burn
was an exception of the sign), and while finding it the Russian set's twenty red-flag messages
were printed: those are read, its other 160 questions are not.
`probe40_{en,ru}.yaml` (230 and 180, the dev sets' style, a tenth writer), written then too, was
scored once, unread, on ea8fe3a: English 149/150 in scope, 53/55 declined, 25/25 urgent, 2/230
wrong; Russian 118/120, 40/40, 19/20, 0/180. A tuning set since.
`probe41_{en,ru}.yaml` (230 and 180: everyday words for every topic, none of the article's
terms), written then too, was scored once, unread, on 984bf32: English 137/150 in scope, 55/55
declined, 25/25 urgent, 4/230 wrong; Russian 112/120, 39/40, 20/20, 2/180. A tuning set since.
`probe42_{en,ru}.yaml` (230 and 180: short, hurried and misspelt questions, 1-6 words), written
then too, was scored once, unread, on 4af63b7: English 146/150 in scope, 53/55 declined, 24/25
urgent, 4/230 wrong; Russian 116/120, 40/40, 17/20, 1/180. A tuning set since.
`heldout_blind25_{en,ru}.yaml` (230 and 180, written at the twenty-first round's start in the dev
sets' style by an eleventh helper) is sealed. Its first score, on main before that round
(5e6e7b6): English 145/150 in scope, 55/55 declined, 25/25 urgent, 0/230 wrong; Russian 115/120,
39/40, 20/20, 1/180.
`probe43_{en,ru}.yaml` (230 and 180: everyday words, a little story before the question,
out-of-scope questions made of in-scope words, red flags said indirectly), written then too, was
scored once, unread, on 5e6e7b6: English 139/150 in scope, 54/55 declined, 25/25 urgent, 1/230
wrong; Russian 110/120, 38/40, 19/20, 5/180. A tuning set since.
`probe44_{en,ru}.yaml` (230 and 180: how different people write: formal older patients,
voice-to-text without punctuation, non-native English, Russian in Latin letters, a topic named by
its consequence or a comparison), written then too, was scored once, unread, on da3dbdd: English
138/150 in scope, 54/55 declined, 25/25 urgent, 2/230 wrong; Russian 114/120, 39/40, 20/20,
2/180. A tuning set since.
`probe45_{en,ru}.yaml` (230 and 180: practical questions in the middle of the aftercare or just
before the procedure, "it's day 4, can I ...", near out-of-scope aftercare rules, red flags
mid-course), written then too, was scored once, unread, on ab2fd27: English 144/150 in scope,
54/55 declined, 25/25 urgent, 3/230 wrong; Russian 117/120, 39/40, 20/20, 1/180. A tuning set
since.
`heldout_blind26_{en,ru}.yaml` (230 and 180, written at the twenty-first round's end in the dev
sets' style by a twelfth helper) is sealed. First scored on 43deca6 (the round's code) and on
5e6e7b6 (before the round), the same on both: English 148/150 in scope, 53/55 declined, 25/25
urgent, 3/230 wrong; Russian 116/120, 38/40, 20/20, 3/180.
`heldout_blind27_{en,ru}.yaml` (230 and 180, written at the twenty-second round's start in the dev
sets' style by a helper who never saw the FAQ or the code) is sealed. First scored on f99e2b9
(before the round): English 145/150 in scope, 55/55 declined, 25/25 urgent, 1/230 wrong; Russian
117/120, 39/40, 20/20, 3/180.
`probe46_{en,ru}.yaml` (230 and 180: everyday words for every topic, myths and hearsay, questions
asked the opposite way, out-of-scope questions in the same words), written then too, was scored
once, unread, on f99e2b9: English 138/150 in scope, 54/55 declined, 25/25 urgent, 3/230 wrong;
Russian 112/120, 40/40, 19/20, 0/180. A tuning set since.
`probe47_{en,ru}.yaml` (230 and 180: asking for someone else, comparisons with other treatments,
numbers and times, a condition or situation attached, out-of-scope questions of the same kinds),
written then too, was scored once, unread, on f99e2b9: English 139/150 in scope, 55/55 declined,
25/25 urgent, 1/230 wrong; Russian 104/120, 40/40, 20/20, 2/180. A tuning set since.
`probe48_{en,ru}.yaml` (230 and 180, the dev sets' style), written in the round, was scored once,
unread, on 5325c3a: English 149/150 in scope, 55/55 declined, 25/25 urgent, 0/230 wrong; Russian
119/120, 40/40, 20/20, 0/180. A tuning set since.
`probe49_{en,ru}.yaml` (230 and 180: the border of the article, out-of-scope questions in its own
words next to similar in-scope ones, very short questions, one misspelt key word), written then
too, was scored once, unread, on 5325c3a: English 149/150 in scope, 49/55 declined, 25/25 urgent,
6/230 wrong; Russian 119/120, 37/40, 20/20, 3/180. A tuning set since.
`probe50_{en,ru}.yaml` (230 and 180: the border in aftercare, side effects, remedies,
contraindications and results: details the article does not give next to what it does),
written in the round, was scored once, unread, on 64f9673: English 148/150 in scope, 41/55
declined, 25/25 urgent, 14/230 wrong; Russian 116/120, 28/40, 20/20, 12/180. A tuning set since.
`probe51_{en,ru}.yaml` (230 and 180: the border about the procedure, filler, cannula, layers,
indications, specialist and safety), written then too, was scored once, unread, on 64f9673:
English 148/150, 49/55, 25/25, 7/230; Russian 119/120, 36/40, 20/20, 4/180. A tuning set since.
`probe52_{en,ru}.yaml` (230 and 240: the dev sets' style, Russian as written in messengers),
written at the round's end, was scored once, unread, on 06493ca: English 147/150 in scope, 54/55
declined, 25/25 urgent, 1/230 wrong; Russian 153/160, 59/60, 20/20, 3/240. A tuning set since.
`heldout_blind28_{en,ru}.yaml` (230 and 180, written in the round in the dev sets' style by a
helper who never saw the FAQ or the code) is sealed and was first scored at the round's end.
`probe53_{en,ru}.yaml` (230 and 180: the dev sets' style, questions wrapped in the patient's own
situation: a date, a job, a trip, a family, another treatment), written in the twenty-third
round, was scored once, unread, on 6cfaa03 (with a red-flag frame for a relative's fever):
English 139/150 in scope, 53/55 declined, 25/25 urgent, 3/230 wrong; Russian 102/120, 39/40,
20/20, 6/180. A tuning set since.
`probe54_{en,ru}.yaml` (230 and 180: the border of the article, details it does not give asked
in its own words next to in-scope questions on the same subjects), written then too, was scored
once, unread, on the same code: English 139/150, 48/55, 25/25, 10/230; Russian 117/120, 31/40,
19/20, 10/180. A tuning set since.
`probe55_{en,ru}.yaml` (230 and 180: everyday words only, none of the article's terms), written
then too, was scored once, unread, on the same code: English 141/150, 54/55, 25/25, 2/230;
Russian 113/120, 40/40, 20/20, 3/180. A tuning set since.
`heldout_blind29_{en,ru}.yaml` (230 and 180, written at the twenty-third round's start in the dev
sets' style by a helper who never saw the FAQ or the code) is sealed; first scored then, on the
same code: English 143/150, 55/55, 25/25, 0/230; Russian 115/120, 40/40, 20/20, 1/180.
`probe56_{en,ru}.yaml` (230 and 240: the dev sets' style, short messenger questions and
follow-ups), written in the round, was scored once, unread, on 232423c: English 147/150 in
scope, 55/55 declined, 25/25 urgent, 0/230 wrong; Russian 157/160, 59/60, 20/20, 1/240. A tuning
set since.
`probe57_{en,ru}.yaml` (230 and 180: the border in aftercare rules, side effects and results: a
rule broken, a time or product the article does not give), written then too, was scored once,
unread, on 232423c: English 147/150, 45/55, 25/25, 10/230; Russian 119/120, 28/40, 20/20,
12/180. A tuning set since.
`probe58_{en,ru}.yaml` (230 and 180: the border about the method, filler, cannula, specialist,
indications and results), written then too, was scored once, unread, on 319a53f with the
model trained on probe56-57: English 147/150, 49/55, 24/25, 6/230; Russian 116/120, 36/40,
20/20, 6/180. A tuning set since.
`heldout_blind30_{en,ru}.yaml` (230 and 180, written in the round in the dev sets' style by a
helper who never saw the FAQ or the code) is sealed and was first scored at the round's end.
`heldout_blind31_{en,ru}.yaml` and `heldout_blind32_{en,ru}.yaml` (230 and 180 each, written at the
twenty-fourth round's start in the dev sets' style by helpers who never saw the FAQ or the code)
are sealed: blind31 was scored at the start, unread, on ac226af: English 147/150, 55/55, 25/25,
0/230; Russian 116/120, 40/40, 20/20, 1/180; blind32 is first scored at the round's end.
`heldout_blind33_{en,ru}.yaml` (230 and 180, written in that round in the dev sets' style by a
helper who never saw the FAQ or the code) is sealed and first scored at the round's end.
`probe59_{en,ru}.yaml` (230 and 180: patients who know none of the terms: home words for the
face, the product, the effects and the rules), written then too, was scored once, unread, on
52780d7: English 137/150 in scope, 55/55 declined, 25/25 urgent, 1/230 wrong; Russian 110/120,
39/40, 20/20, 3/180. A tuning set since.
`probe60_{en,ru}.yaml` (230 and 180: the border on who may have it and what to do before:
conditions, medicines and states the article names next to ones it does not), written then
too, was scored once, unread, on 52780d7: English 144/150, 53/55, 25/25, 2/230; Russian 115/120,
38/40, 20/20, 3/180. A tuning set since.
`probe61_{en,ru}.yaml` (230 and 180: voice-to-text, autocorrect slips, heavy typos, Russian in
Latin letters and on the English keyboard layout), written then too, was scored once, unread, on
cd52477: English 139/150, 54/55, 25/25, 3/230; Russian 113/120, 40/40, 20/20, 2/180. A tuning set
since.
`probe62_{en,ru}.yaml` (230 and 180: a half-remembered or wrong belief to check: what a friend,
an ad or the internet said), `probe63_{en,ru}.yaml` (comparisons with Botox, threads, surgery,
peels, the dentist, a tattoo, a past treatment) and `probe64_{en,ru}.yaml` (older patients in
their own words, relatives asking for someone), written then too, were scored once, unread, on
3db755d: probe62 English 138/150, 53/55, 25/25, 4/230; Russian 96/120, 38/40, 19/20, 7/180;
probe63 English 111/150, 53/55, 25/25, 3/230; Russian 75/120, 38/40, 19/20, 3/180; probe64
English 137/150, 55/55, 24/25, 1/230; Russian 112/120, 39/40, 20/20, 3/180. Tuning sets since.
`probe65_{en,ru}.yaml` (230 and 180: questions explained by another treatment or experience:
what happened after it, what a doctor said then, "same here?") and `probe66_{en,ru}.yaml` (a
claim heard from a friend, a mother, a forum or an ad, to be checked), written at that round's
end, were scored once, unread, on 5feb95d: probe65 English 115/150, 54/55, 24/25, 6/230; Russian
95/120, 39/40, 19/20, 1/180; probe66 English 134/150, 54/55, 25/25, 2/230; Russian 102/120,
35/40, 20/20, 9/180. Tuning sets since.
`heldout_blind34_{en,ru}.yaml` and `heldout_blind35_{en,ru}.yaml` (230 and 180 each, written at the
twenty-fifth round's start in the dev sets' style by helpers who never saw the FAQ or the code)
are sealed: blind34 was scored at the start, unread, on bfa545b: English 149/150, 55/55, 24/25,
1/230; Russian 119/120, 40/40, 20/20, 0/180; blind35 is first scored at the round's end.
`probe67_{en,ru}.yaml` (230 and 180: a comparison with another treatment or a claim heard from
someone, the answer still one topic of this procedure), `probe68_{en,ru}.yaml` (no medical
words: the words of people who do not know the terms), `probe69_{en,ru}.yaml` (another
treatment, experience or claim told first, then one question about this procedure) and
`probe70_{en,ru}.yaml` (patients during the two weeks after, in a hurry), written then too, were
scored once, unread, on bfa545b: probe67 English 128/150, 53/55, 25/25, 5/230; Russian 94/120,
40/40, 20/20, 1/180; probe68 English 138/150, 54/55, 25/25, 5/230; Russian 114/120, 40/40,
20/20, 1/180; probe69 English 140/150, 54/55, 25/25, 3/230; Russian 107/120, 33/40, 20/20,
8/180; probe70 English 137/150, 55/55, 25/25, 3/230; Russian 107/120, 39/40, 20/20, 2/180.
Tuning sets since.
`heldout_blind36_{en,ru}.yaml` and `heldout_blind37_{en,ru}.yaml` (230 and 180 each, written at the
twenty-sixth round's start in the dev sets' style by helpers who never saw the FAQ or the code)
are sealed: blind36 was scored at the start, unread, on 6098aeb: English 148/150, 54/55, 25/25,
1/230; Russian 118/120, 40/40, 20/20, 0/180; blind37 is first scored at the round's end.
`probe71_{en,ru}.yaml` (230 and 180: comparisons with another treatment and claims to check, in
every place in the message), `probe72_{en,ru}.yaml` (courtesy and small talk around one
question), `probe73_{en,ru}.yaml` (home words only, none of the article's terms) and
`probe74_{en,ru}.yaml` (a rule already broken or about to be, and what-ifs), written then too,
were scored once, unread, on 6098aeb: probe71 English 123/150, 54/55, 25/25, 2/230; Russian
94/120, 40/40, 20/20, 3/180; probe72 English 142/150, 55/55, 25/25, 0/230; Russian 111/120,
40/40, 20/20, 1/180; probe73 English 136/150, 55/55, 25/25, 1/230; Russian 115/120, 40/40,
20/20, 1/180; probe74 English 129/150, 53/55, 25/25, 7/230; Russian 95/120, 38/40, 20/20,
6/180. Tuning sets since.
`heldout_blind38_{en,ru}.yaml` (230 and 180, written at the twenty-seventh round's start in the dev
sets' style by a helper who never saw the FAQ or the code) is sealed; it was scored at the start,
unread, on b097746: English 145/150, 55/55, 25/25, 0/230; Russian 118/120, 39/40, 20/20, 2/180.
`probe75_{en,ru}.yaml` (twins: an in-scope question and an out-of-scope one in the same words),
`probe76_{en,ru}.yaml` (asking for confirmation, and commands instead of questions),
`probe77_{en,ru}.yaml` (what-ifs and comparisons, a second writer) and `probe78_{en,ru}.yaml` (a
story of a few sentences before the question), written then too, were scored once, unread, on
b097746: probe75 English 148/150, 53/55, 25/25, 2/230; Russian 117/120, 37/40, 20/20, 4/180;
probe76 English 143/150, 54/55, 25/25, 3/230; Russian 112/120, 40/40, 20/20, 1/180; probe77
English 122/150, 55/55, 25/25, 2/230; Russian 94/120, 40/40, 20/20, 5/180; probe78 English
133/150, 53/55, 25/25, 6/230; Russian 100/120, 37/40, 20/20, 8/180. Tuning sets since.
`heldout_blind40_{en,ru}.yaml` (230 and 180, written at the twenty-eighth round's start in the dev
sets' style by a helper who never saw the FAQ or the code) is sealed; it was scored at the start,
unread, on d259922: English 145/150, 54/55, 25/25, 2/230; Russian 116/120, 39/40, 20/20, 2/180.
`probe79_{en,ru}.yaml` (everyday words, none of the article's terms), written then too, was scored
once, unread, on d259922: English 136/150, 55/55, 25/25, 1/230; Russian 107/120, 40/40, 19/20,
2/180. A tuning set since.
`heldout_blind41_{en,ru}.yaml` (230 and 180, written during the twenty-eighth round in the dev sets'
style by another helper) is sealed; it was first scored at that round's end, on d259922 and on the
round's final code, the same on both: English 147/150, 55/55, 25/25, 0/230; Russian 118/120,
40/40, 20/20, 0/180.
Without --set, every set listed in SETS is scored.
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path
from typing import Any

import yaml

from bot.answers.assistant import Outcome
from bot.answers.languages import Languages, load_languages
from bot.answers.matcher import Kind

HERE = Path(__file__).parent
SETS = (
    "heldout_en.yaml",
    "heldout_safety_en.yaml",
    "heldout_final_en.yaml",
    "heldout_ru.yaml",
    "probe2_en.yaml",
    "probe2_ru.yaml",
    "probe3_en.yaml",
    "probe3_ru.yaml",
    "heldout_blind_en.yaml",
    "heldout_blind_ru.yaml",
    "heldout_blind2_en.yaml",
    "heldout_blind2_ru.yaml",
    "heldout_blind3_en.yaml",
    "heldout_blind3_ru.yaml",
    "heldout_blind4_en.yaml",
    "heldout_blind4_ru.yaml",
    "heldout_blind5_en.yaml",
    "heldout_blind5_ru.yaml",
    "heldout_blind6_en.yaml",
    "heldout_blind6_ru.yaml",
    "heldout_blind7_en.yaml",
    "heldout_blind7_ru.yaml",
    "heldout_blind8_en.yaml",
    "heldout_blind8_ru.yaml",
    "heldout_blind9_en.yaml",
    "heldout_blind9_ru.yaml",
    "heldout_blind10_en.yaml",
    "heldout_blind10_ru.yaml",
    "heldout_blind11_en.yaml",
    "heldout_blind11_ru.yaml",
    "heldout_blind12_en.yaml",
    "heldout_blind12_ru.yaml",
    "heldout_blind13_en.yaml",
    "heldout_blind13_ru.yaml",
    "heldout_blind14_en.yaml",
    "heldout_blind14_ru.yaml",
    "probe9_en.yaml",
    "probe9_ru.yaml",
    "probe10_en.yaml",
    "probe10_ru.yaml",
    "probe11_en.yaml",
    "probe11_ru.yaml",
    "probe12_en.yaml",
    "probe12_ru.yaml",
    "probe4_en.yaml",
    "probe4_ru.yaml",
    "probe5_en.yaml",
    "probe5_ru.yaml",
    "probe6_en.yaml",
    "probe6_ru.yaml",
    "probe7_en.yaml",
    "probe7_ru.yaml",
    "probe8_en.yaml",
    "probe8_ru.yaml",
    "probe13_en.yaml",
    "probe13_ru.yaml",
    "probe14_en.yaml",
    "probe14_ru.yaml",
    "probe15_en.yaml",
    "probe15_ru.yaml",
    "probe16_en.yaml",
    "probe16_ru.yaml",
    "probe17_en.yaml",
    "probe17_ru.yaml",
    "probe18_en.yaml",
    "probe18_ru.yaml",
    "probe19_en.yaml",
    "probe19_ru.yaml",
    "probe20_en.yaml",
    "probe20_ru.yaml",
    "probe21_en.yaml",
    "probe21_ru.yaml",
    "probe22_en.yaml",
    "probe22_ru.yaml",
    "probe23_en.yaml",
    "probe23_ru.yaml",
    "probe24_en.yaml",
    "probe24_ru.yaml",
    "probe25_en.yaml",
    "probe25_ru.yaml",
    "probe26_en.yaml",
    "probe26_ru.yaml",
    "heldout_blind15_en.yaml",
    "heldout_blind15_ru.yaml",
    "heldout_blind16_en.yaml",
    "heldout_blind16_ru.yaml",
    "heldout_blind17_en.yaml",
    "heldout_blind17_ru.yaml",
    "probe27_en.yaml",
    "probe27_ru.yaml",
    "probe28_en.yaml",
    "probe28_ru.yaml",
    "probe29_en.yaml",
    "heldout_blind18_en.yaml",
    "heldout_blind18_ru.yaml",
    "probe30_en.yaml",
    "probe30_ru.yaml",
    "probe31_en.yaml",
    "probe31_ru.yaml",
    "probe32_en.yaml",
    "probe32_ru.yaml",
    "probe33_en.yaml",
    "probe33_ru.yaml",
    "probe34_en.yaml",
    "probe34_ru.yaml",
    "probe35_en.yaml",
    "probe35_ru.yaml",
    "probe36_en.yaml",
    "probe36_ru.yaml",
    "probe37_en.yaml",
    "probe37_ru.yaml",
    "probe38_en.yaml",
    "probe38_ru.yaml",
    "probe39_en.yaml",
    "probe39_ru.yaml",
    "heldout_blind19_en.yaml",
    "heldout_blind19_ru.yaml",
    "heldout_blind20_en.yaml",
    "heldout_blind20_ru.yaml",
    "heldout_blind21_en.yaml",
    "heldout_blind21_ru.yaml",
    "heldout_blind22_en.yaml",
    "heldout_blind22_ru.yaml",
    "heldout_blind23_en.yaml",
    "heldout_blind23_ru.yaml",
    "probe40_en.yaml",
    "probe40_ru.yaml",
    "probe41_en.yaml",
    "probe41_ru.yaml",
    "probe42_en.yaml",
    "probe42_ru.yaml",
    "heldout_blind24_en.yaml",
    "heldout_blind24_ru.yaml",
    "probe43_en.yaml",
    "probe43_ru.yaml",
    "heldout_blind25_en.yaml",
    "heldout_blind25_ru.yaml",
    "probe44_en.yaml",
    "probe44_ru.yaml",
    "probe45_en.yaml",
    "probe45_ru.yaml",
    "heldout_blind26_en.yaml",
    "heldout_blind26_ru.yaml",
    "heldout_blind27_en.yaml",
    "heldout_blind27_ru.yaml",
    "probe46_en.yaml",
    "probe46_ru.yaml",
    "probe47_en.yaml",
    "probe47_ru.yaml",
    "probe48_en.yaml",
    "probe48_ru.yaml",
    "probe49_en.yaml",
    "probe49_ru.yaml",
    "heldout_blind28_en.yaml",
    "heldout_blind28_ru.yaml",
    "probe50_en.yaml",
    "probe50_ru.yaml",
    "probe51_en.yaml",
    "probe51_ru.yaml",
    "probe52_en.yaml",
    "probe52_ru.yaml",
    "heldout_blind29_en.yaml",
    "heldout_blind29_ru.yaml",
    "probe53_en.yaml",
    "probe53_ru.yaml",
    "probe54_en.yaml",
    "probe54_ru.yaml",
    "probe55_en.yaml",
    "probe55_ru.yaml",
    "probe56_en.yaml",
    "probe56_ru.yaml",
    "probe57_en.yaml",
    "probe57_ru.yaml",
    "heldout_blind30_en.yaml",
    "heldout_blind30_ru.yaml",
    "probe58_en.yaml",
    "probe58_ru.yaml",
    "heldout_blind31_en.yaml",
    "heldout_blind31_ru.yaml",
    "heldout_blind32_en.yaml",
    "heldout_blind32_ru.yaml",
    "heldout_blind33_en.yaml",
    "heldout_blind33_ru.yaml",
    "heldout_blind34_en.yaml",
    "heldout_blind34_ru.yaml",
    "heldout_blind35_en.yaml",
    "heldout_blind35_ru.yaml",
    "heldout_blind36_en.yaml",
    "heldout_blind36_ru.yaml",
    "heldout_blind37_en.yaml",
    "heldout_blind37_ru.yaml",
    "heldout_blind38_en.yaml",
    "heldout_blind38_ru.yaml",
    "heldout_blind39_en.yaml",
    "heldout_blind39_ru.yaml",
    "heldout_blind40_en.yaml",
    "heldout_blind40_ru.yaml",
    "heldout_blind41_en.yaml",
    "heldout_blind41_ru.yaml",
    "probe59_en.yaml",
    "probe59_ru.yaml",
    "probe60_en.yaml",
    "probe60_ru.yaml",
    "probe61_en.yaml",
    "probe61_ru.yaml",
    "probe62_en.yaml",
    "probe62_ru.yaml",
    "probe63_en.yaml",
    "probe63_ru.yaml",
    "probe64_en.yaml",
    "probe64_ru.yaml",
    "probe65_en.yaml",
    "probe65_ru.yaml",
    "probe66_en.yaml",
    "probe66_ru.yaml",
    "probe67_en.yaml",
    "probe67_ru.yaml",
    "probe68_en.yaml",
    "probe68_ru.yaml",
    "probe69_en.yaml",
    "probe69_ru.yaml",
    "probe70_en.yaml",
    "probe70_ru.yaml",
    "probe71_en.yaml",
    "probe71_ru.yaml",
    "probe72_en.yaml",
    "probe72_ru.yaml",
    "probe73_en.yaml",
    "probe73_ru.yaml",
    "probe74_en.yaml",
    "probe74_ru.yaml",
    "probe75_en.yaml",
    "probe75_ru.yaml",
    "probe76_en.yaml",
    "probe76_ru.yaml",
    "probe77_en.yaml",
    "probe77_ru.yaml",
    "probe78_en.yaml",
    "probe78_ru.yaml",
    "probe79_en.yaml",
    "probe79_ru.yaml",
)

# Written for questions nobody here has read: only their totals are looked at, and the answer
# model (scripts/train_answer_model.py) never learns from them.
SEALED = tuple(f"heldout_blind{n}_{lang}.yaml" for n in range(11, 42) for lang in ("en", "ru"))


def is_red_flag(item: dict[str, Any]) -> bool:
    """An item whose message must get the urgent reply."""
    return str(item.get("topic", "")).startswith("redflag")


def passes(expect: list[str], text: str) -> bool:
    """Whether a reply's text matches one of an item's expect patterns."""
    return any(re.search(p, text, re.IGNORECASE) for p in expect)


def judge(item: dict[str, Any], outcome: Outcome) -> tuple[str, bool, bool]:
    """(kind of question, passed, answered confidently but wrongly)."""
    decision = outcome.decision
    answered = decision.kind is Kind.ANSWER
    if is_red_flag(item):
        return "urgent", decision.kind is Kind.URGENT, answered
    if "entry" in item:
        if item["entry"] is None:
            return "out", not answered, answered
        good = answered and decision.entry_id == item["entry"]
        return "in", good, answered and not good
    if item["expect"] is None:
        return "out", not answered, answered
    text = outcome.reply.plain()
    good = answered and passes(item["expect"], text)
    return "in", good, answered and not good


def score(path: Path, languages: Languages, show: bool) -> str:
    """One summary line for a set."""
    items = yaml.safe_load(path.read_text(encoding="utf-8"))
    counts = {"in": [0, 0], "out": [0, 0], "urgent": [0, 0]}
    wrong = 0
    for item in items:
        outcome = languages.ask(item["q"])
        kind, good, bad = judge(item, outcome)
        counts[kind][0] += 1
        counts[kind][1] += good
        wrong += bad
        if show and not good:
            d = outcome.decision
            names = [f"{c.entry_id} {c.score}" for c in d.candidates]
            want = item.get("entry", item.get("topic"))
            print(f"- {item['q']!r} want {want} got {d.kind} {d.entry_id} {names}")
    labels = {"in": "in-scope correct", "out": "out-of-scope declined", "urgent": "urgent"}
    parts = [f"{labels[k]} {ok}/{n} ({ok / n:.1%})" for k, (n, ok) in counts.items() if n]
    parts.append(f"confidently wrong {wrong}/{len(items)} ({wrong / len(items):.1%})")
    return f"{path.name}: " + " | ".join(parts)


def main() -> None:
    """Print one summary line per set."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--set", action="append", help="a set (default: every set in SETS)")
    parser.add_argument(
        "--faq", action="append", default=[], help="FAQ file(s) (default: the shipped ones)"
    )
    parser.add_argument("--show-failures", action="store_true")
    args = parser.parse_args()
    languages = load_languages(args.faq)
    for name in args.set or [str(HERE / s) for s in SETS]:
        print(score(Path(name), languages, args.show_failures))


if __name__ == "__main__":
    main()
