-- autogen revision 20261124170000
-- parent: 20261124160000
-- message: add vaccination status
-- created: 2026-11-24T17:00:00Z
-- hazards:
--   data loss: drops column students.vaccinated and all its values
--   ACCESS EXCLUSIVE lock: students
-- accepted hazards: data-loss

-- DESTRUCTIVE: drops column students.vaccinated and all its values
ALTER TABLE public.students DROP COLUMN vaccinated;
