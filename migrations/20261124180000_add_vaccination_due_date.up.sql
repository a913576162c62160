-- autogen revision 20261124180000
-- parent: 20261124170000
-- message: add vaccination due date
-- created: 2026-11-24T18:00:00Z
-- hazards:
--   table rewrite: students
--   ACCESS EXCLUSIVE lock: students

ALTER TABLE public.students ADD COLUMN vaccination_due date;
UPDATE public.students SET vaccination_due = (enrolled_at + interval '30 days')::date;
ALTER TABLE public.students ALTER COLUMN vaccination_due SET NOT NULL;
