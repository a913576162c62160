-- autogen revision 20261124170000
-- parent: 20261124160000
-- message: add vaccination status
-- created: 2026-11-24T17:00:00Z
-- hazards:
--   ACCESS EXCLUSIVE lock: students

ALTER TABLE public.students ADD COLUMN vaccinated boolean DEFAULT false NOT NULL;
