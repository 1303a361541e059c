"""The resources domain: plain Python, no I/O, no framework; times come in as `now`.

| module                | what it holds                                                        |
|-----------------------|----------------------------------------------------------------------|
| `needs`               | `Need` (需求清单): open → matched → in_project → met / declined       |
| `resources`           | `ResourceOffer` (资源清单), `stale_lists`, `emergency_offers`         |
| `matching`            | `suggest`: offers for a need, ranked with their reasons              |
| `meetings`            | `JointMeeting` (联席会议), `build_agenda`                             |
| `projects`            | `Project` (项目清单): claims, responsibilities, milestones, rating    |
| `responsibilities`    | `Responsibility` (责任清单), `responsibilities_list`                  |
| `claims`              | `Claim`, `claim_flags`: the practice of 1–2 projects a year per unit |
| `feedback`            | `feedback_list` (反馈清单), derived from projects and needs           |
| `wishes`              | `MicroWish` (微心愿), `raised_wishes`, `fulfilment_rate`              |
| `scorecards`          | `scorecards`, `red_black_list` (红黑榜), `annual_review` (星级)       |
| `events`              | every fact the aggregates record                                     |
| `common`              | `Aggregate`, input checks, `Quarter` (China time)                    |

An escalation never makes a need by itself: a coordinator records one from an incident
(`Need.record(source=INCIDENT, ...)`), and a wartime escalation only puts the emergency offers
(`resources.emergency_offers`) before the coordinator.
"""
