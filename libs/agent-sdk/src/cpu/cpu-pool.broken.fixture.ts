// A CPU task module that cannot load, as a task with a missing dependency would fail at start.
throw new Error('this task module cannot load');
