-- autogen revision 20261124160000
-- parent: none
-- message: initial university schema
-- created: 2026-11-24T16:00:00Z
-- hazards:
--   data loss: drops table departments and all its rows
--   data loss: drops table students and all its rows
--   ACCESS EXCLUSIVE lock: departments
--   ACCESS EXCLUSIVE lock: students
-- accepted hazards: data-loss

-- DESTRUCTIVE: drops table students and all its rows
DROP TABLE public.students;

-- DESTRUCTIVE: drops table departments and all its rows
DROP TABLE public.departments;

DROP TYPE public.enrollment_status;
