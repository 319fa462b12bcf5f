"""The classroom kit: a student edition of the course without solutions, and a grader for submitted notebooks.

- ``python -m classroom.student`` (``make student``): see :mod:`classroom.student`.
- ``python -m classroom.grade`` (``make grade``): see :mod:`classroom.grade`.
- :mod:`classroom.notebook`: what both read in a notebook (setup cell, exercises, solutions, language).

Importing this package runs nothing. TEACHING.md explains the kit to teachers.
"""
