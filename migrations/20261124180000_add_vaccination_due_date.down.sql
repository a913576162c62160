-- autogen revision 20261124180000
-- parent: 20261124170000
-- message: add vaccination due date
-- created: 2026-11-24T18:00:00Z
-- hazards:
--   data loss: drops column students.vaccination_due and all its values
--   ACCESS EXCLUSIVE lock: students
-- accepted hazards: data-loss

-- DESTRUCTIVE: drops column students.vaccination_due and all its values
ALTER TABLE public.students DROP COLUMN vaccination_due;
