DROP TABLE member_list_events;
