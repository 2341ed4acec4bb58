use leptos::prelude::*;

use crate::api::{get_notifications, ReadNotifications};
use crate::model::NotificationList;
use crate::ui::components::When;
use crate::ui::components::{action_error, EmptyState, FormError, Loaded, Page};

/// The signed-in person's notifications, newest first. Opening one marks it read (a POST, so it
/// works without JavaScript); "Mark all as read" clears the count.
#[component]
pub fn NotificationsPage() -> impl IntoView {
    let read = ServerAction::<ReadNotifications>::new();
    let data = Resource::new_blocking(move || read.version().get(), |_| get_notifications());
    view! {
        <Page
            title="Notifications"
            heading="Notifications"
            actions={move || {
                view! {
                    <a class="button button--secondary" href="/notifications/settings">
                        "How you hear of things"
                    </a>
                }
            }}
        >
            <FormError error=action_error(read) />
            <Loaded
                resource=data
                loading="Loading notifications…"
                view={move |list: NotificationList| view! { <NotificationListView list read /> }}
            />
        </Page>
    }
}

#[component]
fn NotificationListView(
    list: NotificationList,
    read: ServerAction<ReadNotifications>,
) -> impl IntoView {
    if list.items.is_empty() {
        return view! {
            <EmptyState title="No notifications">
                <p>
                    "Decisions on your requests, requests for changes and new work in the review queue show up here."
                </p>
            </EmptyState>
        }
        .into_any();
    }
    view! {
        <div class="card">
            <div class="card__header">
                <p data-testid="unread-summary">
                    {match list.unread {
                        0 => "Everything is read.".to_owned(),
                        1 => "1 unread notification.".to_owned(),
                        n => format!("{n} unread notifications."),
                    }}
                </p>
                {(list.unread > 0)
                    .then(|| {
                        view! {
                            <ActionForm action=read attr:class="form--inline">
                                <button type="submit" class="button button--secondary">
                                    "Mark all as read"
                                </button>
                            </ActionForm>
                        }
                    })}
            </div>
            <ul class="notifications" data-testid="notifications">
                {list
                    .items
                    .into_iter()
                    .map(|item| {
                        let class = if item.read {
                            "notification"
                        } else {
                            "notification notification--unread"
                        };
                        view! {
                            <li class=class>
                                <div class="notification__body">
                                    <ActionForm action=read attr:class="form--inline">
                                        <input type="hidden" name="id" value=item.id />
                                        <button
                                            type="submit"
                                            class="link-button notification__message"
                                        >
                                            {item.message.clone()}
                                            {(!item.read)
                                                .then(|| {
                                                    view! { <span class="visually-hidden">" (unread)"</span> }
                                                })}
                                        </button>
                                    </ActionForm>
                                </div>
                                <span class="notification__when">
                                    <When at=item.at />
                                </span>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        </div>
    }
    .into_any()
}
